// RosterRules: the checks a JSON Schema cannot express, run on the parsed document.
//
// - unknown keys, with "did you mean" (the allowed keys come from the schema);
// - a key given in both spellings (socket_name and socketName);
// - duplicate agent names, and an agent named like the holder session;
// - transport "matrix", reserved but not supported yet.
#pragma once

#include "diagnostic.h"
#include "located_json.h"

namespace mosaic {

/// All rule violations in `document`, located. Tolerates documents that fail the schema.
Diagnostics CheckRosterRules(const LocatedJson& document);

/// The snake_case key a camelCase alias stands for ("socketName" → "socket_name"), or
/// the key itself when it has no alias.
std::string CanonicalKey(const std::string& key);

}  // namespace mosaic
