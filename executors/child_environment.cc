#include "child_environment.h"

#include <algorithm>
#include <string_view>

extern char** environ;

namespace mosaic {

std::vector<std::string> ChildEnvironment(const std::vector<std::string>& inherited,
                                          const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& unset) {
  auto is_unset = [&](std::string_view key) {
    return std::find(unset.begin(), unset.end(), key) != unset.end();
  };
  std::vector<std::string> child;
  for (const std::string& entry : inherited) {
    std::string key = entry.substr(0, entry.find('='));
    if (!is_unset(key) && !set.contains(key)) child.push_back(entry);
  }
  for (const auto& [key, value] : set) {
    if (is_unset(key)) continue;
    std::string entry = key;
    entry += '=';
    entry += value;
    child.push_back(std::move(entry));
  }
  return child;
}

std::vector<std::string> OwnEnvironment() {
  std::vector<std::string> entries;
  for (char** e = environ; *e; ++e) entries.emplace_back(*e);
  return entries;
}

CStringArray::CStringArray(std::vector<std::string> strings) : strings_(std::move(strings)) {
  for (std::string& s : strings_) pointers_.push_back(s.data());
  pointers_.push_back(nullptr);
}

}  // namespace mosaic
