// Profiles: the example rosters `mosaic-fleet init` prints or writes, embedded at build time
// from fixtures/profiles/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// Profile names, in the order --help lists them.
std::vector<std::string> ProfileNames();

/// The roster text of a profile, or nullopt for an unknown name.
std::optional<std::string_view> ProfileText(std::string_view name);

}  // namespace mosaic
