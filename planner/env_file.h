// EnvFile: a systemd EnvironmentFile, read exactly as systemd reads it, without losing a byte
// of what the user wrote.
//
// Agent env files are shared between the tool (which owns a few keys) and the user (every
// other line). So the parser does two jobs at once:
//  - it computes the variables systemd passes to the unit, following systemd's own state
//    machine (src/basic/env-file.c, v252): `#`/`;` comments only at the start of an entry,
//    quotes only at the start of a value (`it's` is literal), "\n" and "\r" both end an
//    entry (so CRLF files work), a backslash continues a line, quotes may span lines, the
//    last assignment wins, invalid names and values are dropped, and invalid UTF-8 makes
//    systemd ignore the whole file;
//  - it splits the file into entries whose bytes, concatenated, are the file itself, so
//    that the owned keys' entries can be rewritten and every other byte kept.
// Whatever the reader cannot settle without guessing — a setting swallowed by an unclosed
// quote, bytes systemd stops at, a comment whose meaning changed between systemd versions —
// is reported as a located problem. Problems never quote the file's values: they may be
// secrets.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

struct EnvEntry {
  enum class Kind {
    kAssignment,  ///< KEY=VALUE (the value may span lines)
    kComment,     ///< starts with '#' or ';'
    kDiscarded,   ///< text without '=': systemd ignores it
    kTrailing,    ///< whitespace at the end of the file (prefix only)
  };
  Kind kind = Kind::kTrailing;
  std::string prefix;      ///< whitespace and blank lines before the entry
  std::string body;        ///< the entry's own bytes, up to its terminating newline
  std::string terminator;  ///< "\n", "\r", or "" at the end of the file
  int line = 0;            ///< 1-based line on which the body starts
  std::string key;         ///< assignments: the key, as systemd reads it
  std::string value;       ///< assignments: the value, as systemd reads it

  bool spans_lines() const { return body.find_first_of("\n\r") != std::string::npos; }
  /// The entry's bytes exactly as in the file.
  std::string raw() const { return prefix + body + terminator; }
};

/// Something in the file that cannot be read unambiguously. `line` is 1-based; the message
/// names keys and lines, never values.
struct EnvProblem {
  int line = 0;
  std::string message;
  friend bool operator==(const EnvProblem&, const EnvProblem&) = default;
};

struct EnvFile {
  std::vector<EnvEntry> entries;  ///< in file order; their raw() bytes concatenate to the file
  std::vector<EnvProblem> problems;
  bool ignored_by_systemd = false;  ///< systemd refuses the whole file (invalid UTF-8)

  /// The variables systemd passes to the unit: the last assignment of each key wins, then
  /// invalid names and values are dropped; nothing at all when systemd ignores the file.
  std::map<std::string, std::string> Variables() const;
};

EnvFile ParseEnvFile(std::string_view text);

/// Whether `key` is a name systemd keeps: [A-Za-z_][A-Za-z0-9_]*.
bool IsValidEnvName(std::string_view key);

/// `KEY=VALUE` written so that systemd reads back exactly `value`: empty values are bare
/// (`KEY=`), others double-quoted with `"`, `\`, `$` and backquote escaped.
/// REQUIRES: value has no control characters (a newline cannot be expressed in one line).
std::string FormatEnvAssignment(const std::string& key, const std::string& value);

}  // namespace mosaic
