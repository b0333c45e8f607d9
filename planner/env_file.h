// EnvFile: a systemd EnvironmentFile, parsed without losing a byte of what the user wrote.
//
// Agent env files are shared: the tool owns a fixed set of keys (OwnedEnvKeys) and rewrites
// only their lines; every other line — user keys such as MOSAIC_AGENT_COMMAND, comments,
// blank lines, continuation lines — is the user's and is kept byte-for-byte, in place.
//
// Parsing follows systemd's rules (man systemd.exec, EnvironmentFile=): `#` and `;` start
// comments, values may be single-quoted (literal), double-quoted (backslash escapes) or bare,
// a trailing backslash continues a line, the last assignment of a key wins.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mosaic {

struct EnvLine {
  std::string raw;  ///< exactly as in the file, continuation lines included, without the final '\n'
  std::string key;  ///< empty for comments, blank and malformed lines
  std::string value;  ///< the value systemd would see
  bool is_assignment() const { return !key.empty(); }
};

struct EnvFile {
  std::vector<EnvLine> lines;
  bool ends_with_newline = true;

  /// The variables systemd would set: last assignment wins.
  std::map<std::string, std::string> Variables() const;
};

EnvFile ParseEnvFile(std::string_view text);

/// `KEY=VALUE` written so that systemd reads back exactly `value`: empty values are bare
/// (`KEY=`), others double-quoted with `"`, `\`, `$` and backquote escaped.
/// REQUIRES: value has no control characters (a newline cannot be expressed in an env file).
std::string FormatEnvAssignment(const std::string& key, const std::string& value);

/// The keys mosaic-fleet owns in an agent env file, in the order it writes them.
const std::vector<std::string>& OwnedEnvKeys();
bool IsOwnedEnvKey(std::string_view key);

/// `existing` with every owned key set to its value in `owned` (ordered as OwnedEnvKeys):
/// the first line of an owned key is rewritten in place, later duplicates of it dropped,
/// missing ones appended; every other line is kept byte-for-byte (a missing final newline is
/// added). An empty `existing` yields a new file with an explanatory header.
std::string MergeEnvFile(std::string_view existing,
                         const std::vector<std::pair<std::string, std::string>>& owned);

/// A stable fingerprint (FNV-1a, hex) of the variables of an env file, recorded on each
/// session so that a later edit of the file shows up as drift. Never printed as values.
std::string EnvFingerprint(const std::map<std::string, std::string>& variables);

/// FNV-1a 64 of `text` as 16 hex digits: a short, stable content fingerprint (not security).
std::string Fingerprint(std::string_view text);

/// The same hash, fed piece by piece (each piece is length-prefixed, so ("ab","c") and
/// ("a","bc") differ).
class Fingerprinter {
 public:
  Fingerprinter& Add(std::string_view piece);
  Fingerprinter& Add(int64_t number);
  std::string Hex() const;

 private:
  friend std::string Fingerprint(std::string_view text);
  void Mix(std::string_view bytes);
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace mosaic
