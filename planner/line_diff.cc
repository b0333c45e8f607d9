#include "line_diff.h"

namespace mosaic {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return lines;
}

}  // namespace

std::vector<std::string> LineDiff(std::string_view before, std::string_view after, size_t context) {
  std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  std::vector<std::string> full;
  if (a.size() * b.size() > 4'000'000) {
    for (auto line : a) full.push_back("- " + std::string(line));
    for (auto line : b) full.push_back("+ " + std::string(line));
    return full;
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<unsigned>> lcs(a.size() + 1, std::vector<unsigned>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j])
      full.push_back("  " + std::string(a[i])), ++i, ++j;
    else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j]))
      full.push_back("+ " + std::string(b[j++]));
    else
      full.push_back("- " + std::string(a[i++]));
  }
  // Keep only changes and their context.
  std::vector<bool> keep(full.size(), false);
  for (size_t k = 0; k < full.size(); ++k) {
    if (full[k][0] == ' ') continue;
    for (size_t c = (k >= context ? k - context : 0); c <= std::min(full.size() - 1, k + context);
         ++c)
      keep[c] = true;
  }
  std::vector<std::string> out;
  for (size_t k = 0; k < full.size(); ++k) {
    if (keep[k])
      out.push_back(full[k]);
    else if (out.empty() || out.back() != "  …")
      out.push_back("  …");
  }
  if (!out.empty() && out.back() == "  …") out.pop_back();
  return out;
}

}  // namespace mosaic
