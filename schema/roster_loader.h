// RosterLoader: roster text → validated Roster, or every reason it is not one.
//
// The pipeline is yaml-cpp events → LocatedJson → valijson (schema/roster.schema.json) →
// RosterRules → Roster. All diagnostics carry `file_name` and a line and column, and all of
// them are reported, sorted by position. Pure: no file or process access.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "diagnostic.h"
#include "located_json.h"
#include "roster.h"

namespace mosaic {

struct RosterLoad {
  std::optional<Roster> roster;  ///< set exactly when diagnostics hold no error
  Diagnostics diagnostics;
};

/// Parses and validates roster `text`; `file_name` is used in diagnostics only.
RosterLoad ParseRoster(std::string_view text, std::string_view file_name,
                       const YamlLimits& limits = {});

}  // namespace mosaic
