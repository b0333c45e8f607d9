#include "diagnostic.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "utf8.h"

namespace mosaic {

bool HasErrors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void SortDiagnostics(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.location.line, a.location.column, a.message) <
           std::tie(b.file, b.location.line, b.location.column, b.message);
  });
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

namespace {

std::string_view LineOf(std::string_view source, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = source.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = source.find('\n', start);
  std::string_view text = source.substr(start, end == std::string_view::npos ? end : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string Prefix(const Diagnostic& d) {
  std::string where = d.file.empty() ? "<input>" : PrintableText(d.file);
  if (d.location.known()) where += fmt::format(":{}", d.location.line);
  if (d.location.known() && d.location.column > 0) where += fmt::format(":{}", d.location.column);
  return where;
}

std::string EscapeGithubData(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string EscapeGithubProperty(std::string_view s) {
  std::string out;
  for (char c : EscapeGithubData(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string FormatDiagnosticText(const Diagnostic& d, std::string_view source, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  const char* tint = "";
  if (color)
    tint = d.severity == Severity::kError     ? "\033[1;31m"
           : d.severity == Severity::kWarning ? "\033[1;35m"
                                              : "\033[1;36m";
  // A message quotes the input (a key, a value): shown, never able to drive the terminal.
  std::string subject =
      PrintableText(d.path.empty() ? d.message : fmt::format("{}: {}", d.path, d.message));
  std::string out = fmt::format("{}{}:{} {}{}:{} {}\n", bold, Prefix(d), reset, tint,
                                SeverityName(d.severity), reset, subject);
  if (!d.location.known() || source.empty()) return out;
  std::string_view line = LineOf(source, d.location.line);
  if (line.empty() && d.location.column <= 1) return out;
  // Long lines (minified or hostile input) are shown as a window around the column.
  constexpr int kWindow = 120;
  int column = d.location.column;
  std::string lead;
  if (static_cast<int>(line.size()) > kWindow) {
    int start =
        std::max(0, std::min(column - 1 - kWindow / 2, static_cast<int>(line.size()) - kWindow));
    line = line.substr(static_cast<size_t>(start), kWindow);
    if (start > 0) lead = "...";
    column -= start - static_cast<int>(lead.size());
  }
  std::string shown = lead + PrintableText(line);
  // Keep tabs in the caret line so the caret lines up under tab-indented text.
  std::string pad;
  for (int i = 0; i + 1 < column && i < static_cast<int>(shown.size()); ++i)
    pad += shown[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
  out += fmt::format("{:>5} | {}\n      | {}{}^{}\n", d.location.line, shown, pad, tint, reset);
  return out;
}

std::string FormatDiagnosticGithub(const Diagnostic& d) {
  std::string command = d.severity == Severity::kError     ? "error"
                        : d.severity == Severity::kWarning ? "warning"
                                                           : "notice";
  std::string props;
  if (!d.file.empty()) props += "file=" + EscapeGithubProperty(d.file);
  if (d.location.known()) {
    props += fmt::format("{}line={},col={}", props.empty() ? "" : ",", d.location.line,
                         d.location.column);
  }
  // Line breaks are the annotation's own (%0A); other control characters are masked, as CI
  // logs show escape sequences.
  std::string subject =
      PrintableLines(d.path.empty() ? d.message : fmt::format("{}: {}", d.path, d.message));
  return fmt::format("::{}{}{}::{}", command, props.empty() ? "" : " ", props,
                     EscapeGithubData(subject));
}

nlohmann::json DiagnosticToJson(const Diagnostic& d) {
  nlohmann::json j = {
      {"severity", SeverityName(d.severity)}, {"file", d.file}, {"message", d.message}};
  if (d.location.known()) {
    j["line"] = d.location.line;
    j["column"] = d.location.column;
  }
  if (!d.path.empty()) j["path"] = d.path;
  return j;
}

}  // namespace mosaic
