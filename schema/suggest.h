// Suggest: "did you mean …?" for a misspelt key or name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// The candidate closest to `word` when it is close enough to be a plausible typo
/// (edit distance at most 2, or a different spelling of the same words such as
/// socketname / socket_name); nullopt otherwise. Ties go to the earlier candidate.
std::optional<std::string> SuggestClosest(std::string_view word,
                                          const std::vector<std::string>& candidates);

}  // namespace mosaic
