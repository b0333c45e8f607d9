#include "process_tree.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace mosaic {
namespace {

// The parent pid from /proc/PID/stat: the field after the command, which is in parentheses
// and may itself contain spaces and parentheses (so search from the last ')').
int64_t ParentOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  int64_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

std::vector<int64_t> ProcessTree(int64_t root) {
  std::multimap<int64_t, int64_t> children;
  if (DIR* proc = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(proc)) {
      std::string name = entry->d_name;
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      children.emplace(ParentOf(name), std::strtoll(name.c_str(), nullptr, 10));
    }
    ::closedir(proc);
  }
  std::vector<int64_t> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

}  // namespace mosaic
