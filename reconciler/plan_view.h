// PlanView: a plan shown to its reader — people (text, `terraform plan` style) or programs
// (the versioned JSON of docs/plan-json.md). Commands show plans only through a view.
#pragma once

#include <memory>

#include "io.h"
#include "plan.h"

namespace mosaic {

class PlanView {
 public:
  virtual ~PlanView() = default;
  virtual void Show(const Plan& plan) = 0;
};

/// The JSON view when `json`, else the human one (colour when io says so).
std::unique_ptr<PlanView> MakePlanView(bool json, Io& io);

}  // namespace mosaic
