// StatusView: a StatusReport shown to its reader — a table for people, JSON for programs.
#pragma once

#include <memory>

#include "io.h"
#include "status_report.h"

namespace mosaic {

class StatusView {
 public:
  virtual ~StatusView() = default;
  virtual void Show(const StatusReport& report) = 0;
};

/// The JSON view when `json`, else the table.
std::unique_ptr<StatusView> MakeStatusView(bool json, Io& io);

}  // namespace mosaic
