#include "plan_view.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "plan_json.h"
#include "plan_render.h"

namespace mosaic {
namespace {

class HumanPlanView : public PlanView {
 public:
  explicit HumanPlanView(Io& io) : io_(io) {}
  void Show(const Plan& plan) override {
    if (!plan.targets.empty())
      io_.err << fmt::format(
          "warning: --target limits this plan to {}; the rest of the fleet is not checked\n",
          fmt::join(plan.targets, ", "));
    io_.out << RenderPlanText(plan, io_.out_color);
  }

 private:
  Io& io_;
};

class JsonPlanView : public PlanView {
 public:
  explicit JsonPlanView(Io& io) : io_(io) {}
  void Show(const Plan& plan) override {
    WritePlanJson(plan, io_.out);
    io_.out << "\n";
  }

 private:
  Io& io_;
};

}  // namespace

std::unique_ptr<PlanView> MakePlanView(bool json, Io& io) {
  if (json) return std::make_unique<JsonPlanView>(io);
  return std::make_unique<HumanPlanView>(io);
}

}  // namespace mosaic
