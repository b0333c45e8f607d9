// Diagnostic: one problem found in user input, with where it is.
//
// Every error a user can cause (a roster typo, a broken env file) becomes a Diagnostic value;
// nothing throws across a layer boundary. Diagnostics are collected and shown together, as
//   roster.yaml:12:5: error: agents[3].name: "coder:0" may not contain ':'
// followed by the source line and a caret under the column.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// A position in a text file. Lines and columns are 1-based; 0 means "unknown".
struct SourceLocation {
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;         ///< as the user named it; may be empty
  SourceLocation location;  ///< unknown for whole-file problems
  std::string path;         ///< roster path such as agents[3].name; empty for syntax errors
  std::string message;      ///< what is wrong, one line, no trailing period
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

using Diagnostics = std::vector<Diagnostic>;

/// True when any diagnostic is an error (warnings and notes alone do not fail a run).
bool HasErrors(const Diagnostics& diagnostics);

/// Orders diagnostics by file, line, column, then message, so output is stable.
void SortDiagnostics(Diagnostics& diagnostics);

/// "error", "warning" or "note".
std::string_view SeverityName(Severity severity);

/// `file:line:col: error: path: message`, plus the source line and a caret when `source`
/// holds the file's text and the location is known. `color` adds ANSI colours.
std::string FormatDiagnosticText(const Diagnostic& d, std::string_view source, bool color);

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C::message`, escaped.
std::string FormatDiagnosticGithub(const Diagnostic& d);

/// The JSON object used by `--format json`.
nlohmann::json DiagnosticToJson(const Diagnostic& d);

}  // namespace mosaic
