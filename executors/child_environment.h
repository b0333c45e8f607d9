// What a child process is given: its environment (ours, minus some keys, plus others) and
// its argument vector, as the NULL-terminated arrays execve and posix_spawn take. Shared by
// every place that starts or becomes a program, so they agree on what "unset" means.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mosaic {

/// `inherited` ("KEY=value" entries) without any key in `unset` or `set`, then `set`. A key
/// both set and unset stays unset: what must not leak (TMUX, say) cannot be put back.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& inherited,
                                          const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& unset);

/// This process's environment, as "KEY=value" entries.
std::vector<std::string> OwnEnvironment();

/// Owns copies of `strings` and exposes them as a NULL-terminated char* array.
class CStringArray {
 public:
  explicit CStringArray(std::vector<std::string> strings);
  CStringArray(const CStringArray&) = delete;
  CStringArray& operator=(const CStringArray&) = delete;
  char* const* data() const { return pointers_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

}  // namespace mosaic
