#include "profiles.h"

namespace mosaic {

std::string_view MinimalProfileText();
std::string_view SoftwareFactoryProfileText();

std::vector<std::string> ProfileNames() { return {"minimal", "software-factory"}; }

std::optional<std::string_view> ProfileText(std::string_view name) {
  if (name == "minimal") return MinimalProfileText();
  if (name == "software-factory") return SoftwareFactoryProfileText();
  return std::nullopt;
}

}  // namespace mosaic
