// ProcessTree: a process and all its descendants, read from /proc.
#pragma once

#include <cstdint>
#include <vector>

namespace mosaic {

/// `root` followed by every live descendant of it (children before grandchildren); just
/// `root` when /proc cannot be read.
std::vector<int64_t> ProcessTree(int64_t root);

}  // namespace mosaic
