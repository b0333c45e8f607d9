// LineDiff: a minimal line diff for showing file changes in a plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// Lines of `before` → `after` as "- old", "+ new" and "  same" entries, in order (LCS based;
/// files past a few thousand lines are shown as all-removed, all-added). Unchanged lines
/// further than `context` from a change are elided as "  …".
std::vector<std::string> LineDiff(std::string_view before, std::string_view after,
                                  size_t context = 2);

}  // namespace mosaic
