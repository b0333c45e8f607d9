// SchemaValidation: checks a roster document against schema/roster.schema.json with
// valijson and turns valijson's generic messages into located, specific ones.
#pragma once

#include "diagnostic.h"
#include "located_json.h"

namespace mosaic {

/// Every schema violation in `document`, each located at the offending value and worded for
/// a person ("expected a boolean, got the string \"yes\""). Unknown keys are left to
/// CheckRosterRules, which can suggest a spelling. File names are left empty.
Diagnostics ValidateAgainstSchema(const LocatedJson& document);

}  // namespace mosaic
