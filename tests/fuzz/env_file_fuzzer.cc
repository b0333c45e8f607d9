// libFuzzer target for env files: any bytes must parse without a crash, and the properties
// that keep a user's data safe must hold for all of them —
//  - the entries are the file, byte for byte;
//  - a merge that is accepted reads back as the owned values plus the user's variables, and
//    merging again changes nothing;
//  - every byte of every entry that is not an owned key's survives the merge, in order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "env_file.h"
#include "env_merge.h"

namespace {

const mosaic::OwnedEnv kOwned = {{"MOSAIC_AGENT_NAME", "a"}, {"MOSAIC_AGENT_MODEL", "m \"q\" $x"}};

bool IsOwned(const std::string& key) {
  for (const auto& [owned, value] : kOwned)
    if (owned == key) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mosaic::EnvFile file = mosaic::ParseEnvFile(text);
  std::string joined;
  for (const mosaic::EnvEntry& e : file.entries) joined += e.raw();
  if (joined != text) __builtin_trap();

  mosaic::EnvMerge merge = mosaic::MergeEnvFile(text, kOwned);
  if (!merge.ok()) return 0;
  auto vars = mosaic::ParseEnvFile(merge.content).Variables();
  auto expected = file.Variables();
  for (const auto& [key, value] : kOwned) expected[key] = value;
  if (vars != expected) __builtin_trap();
  if (mosaic::MergeEnvFile(merge.content, kOwned).content != merge.content) __builtin_trap();
  size_t at = 0;
  for (const mosaic::EnvEntry& e : file.entries) {
    if (e.kind == mosaic::EnvEntry::Kind::kAssignment && IsOwned(e.key)) continue;
    std::string body = e.body + e.terminator;
    at = merge.content.find(body, at);
    if (at == std::string::npos) __builtin_trap();
    at += body.size();
  }
  return 0;
}
