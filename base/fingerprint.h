// Fingerprint: a short, stable hash of text, for recognising "the same thing" across runs
// (a launch command, an env file's variables, the roster a plan was made from).
//
// FNV-1a, 64 bits, as 16 hex digits. Not cryptographic: it detects change, it does not
// authenticate. Values are stable across builds and machines (saved plans rely on it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mosaic {

/// 16 hex digits identifying `text`.
std::string Fingerprint(std::string_view text);

/// Fingerprint of a set of variables: key and value pairs, in key order.
std::string EnvFingerprint(const std::map<std::string, std::string>& variables);

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
