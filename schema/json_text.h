// JsonText: a JSON value as the text a program reads. The one way our machine-readable
// outputs (plan --json, status --json, validate --format json, …) are written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mosaic {

/// `j` as text (`indent` as in nlohmann::json::dump). JSON carries only UTF-8, but the world
/// holds other bytes (a hand-edited unit file in a plan's diff, a file name given to validate):
/// those become U+FFFD, so that a reader always gets a whole document. A plain dump() would
/// throw there, and a program would abort with half a document written.
std::string JsonText(const nlohmann::json& j, int indent = -1);

}  // namespace mosaic
