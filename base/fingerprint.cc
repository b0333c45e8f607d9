#include "fingerprint.h"

#include <fmt/format.h>

namespace mosaic {

void Fingerprinter::Mix(std::string_view bytes) {
  for (char c : bytes) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ull;
  }
}

Fingerprinter& Fingerprinter::Add(std::string_view piece) {
  Add(static_cast<int64_t>(piece.size()));
  Mix(piece);
  return *this;
}

Fingerprinter& Fingerprinter::Add(int64_t number) {
  Mix(std::string_view(reinterpret_cast<const char*>(&number), sizeof number));
  return *this;
}

std::string Fingerprinter::Hex() const { return fmt::format("{:016x}", hash_); }

std::string Fingerprint(std::string_view text) {
  Fingerprinter f;
  f.Mix(text);
  return f.Hex();
}

std::string EnvFingerprint(const std::map<std::string, std::string>& variables) {
  std::string joined;
  for (const auto& [key, value] : variables)
    joined.append(key).append(1, '\0').append(value).append(1, '\0');
  return Fingerprint(joined);
}

}  // namespace mosaic
