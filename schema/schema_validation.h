// SchemaValidation: checks a roster document against schema/roster.schema.json with
// valijson and turns valijson's generic messages into located, specific ones.
#pragma once

#include "diagnostic.h"
#include "located_json.h"

namespace mosaic {

struct SchemaVerdict {
  bool valid = false;
  /// Each violation located at the offending value and worded for a person ("expected true
  /// or false, got the string \"yes\""). Unknown keys and property names are left to
  /// CheckRosterRules, which can suggest a spelling, so `valid` may be false while this is
  /// empty: callers must not treat "no diagnostics" as "valid". File names are left empty.
  Diagnostics diagnostics;
};

SchemaVerdict ValidateAgainstSchema(const LocatedJson& document);

}  // namespace mosaic
