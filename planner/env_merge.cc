#include "env_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace mosaic {
namespace {

constexpr char kNewFileHeader[] =
    "# mosaic-fleet agent environment. The tool rewrites only the keys it owns\n"
    "# (MOSAIC_AGENT_NAME, _RUNTIME, _MODEL, _WORKDIR, MOSAIC_RUNTIME_COMMAND,\n"
    "# MOSAIC_TMUX_SOCKET, _HOLDER). Add your own keys and comments: they are kept.\n"
    "# MOSAIC_AGENT_COMMAND, if you set it, replaces the runtime's launch command.\n";

// The prefix of a dropped entry, minus the indentation that belonged to the dropped line.
std::string_view UpToLastNewline(std::string_view prefix) {
  size_t last = prefix.find_last_of("\n\r");
  return last == std::string_view::npos ? std::string_view() : prefix.substr(0, last + 1);
}

// Whether lines appended to `file` would be read as part of its last comment: one that runs
// to the end of the file with its final line break escaped by a backslash (systemd before
// v254 continues a comment there), or ending in a backslash that would escape ours.
bool LastCommentSwallowsWhatFollows(const EnvFile& file) {
  if (file.entries.empty()) return false;
  const EnvEntry& last = file.entries.back();
  if (last.kind != EnvEntry::Kind::kComment || !last.terminator.empty()) return false;
  std::string_view body = last.body;
  if (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  size_t backslashes = body.size() - body.find_last_not_of('\\') - 1;
  return backslashes % 2 == 1;
}

// Reads `merged` back and checks it says exactly what was asked: the owned values, and every
// one of the user's variables as before. Guards the merge against its own mistakes. (A merge
// that left the file as it was reads back as `before` did: no second parse.)
std::vector<EnvProblem> Verify(const std::string& merged, std::string_view existing,
                               const EnvFile& before, const OwnedEnv& owned) {
  std::optional<EnvFile> reread;
  if (merged != existing) reread = ParseEnvFile(merged);
  const EnvFile& after = reread ? *reread : before;
  if (!after.problems.empty())
    return {{0, "the merged file would not read back unambiguously; nothing was written"}};
  std::map<std::string, std::string> wanted = before.Variables();
  std::map<std::string, std::string> got = reread ? reread->Variables() : wanted;
  for (const auto& [key, value] : owned) wanted[key] = value;
  if (got == wanted) return {};
  for (const auto& [key, value] : wanted)
    if (!got.contains(key) || got[key] != value)
      return {{0, fmt::format("merging would change {}; nothing was written", key)}};
  return {{0, "merging would add a variable; nothing was written"}};
}

}  // namespace

EnvMerge MergeEnvFile(std::string_view existing, const OwnedEnv& owned) {
  return MergeEnvFile(existing, ParseEnvFile(existing), owned);
}

EnvMerge MergeEnvFile(std::string_view existing, const EnvFile& file, const OwnedEnv& owned) {
  EnvMerge merge;
  merge.problems = file.problems;
  std::map<std::string, std::string> wanted(owned.begin(), owned.end());
  for (const EnvEntry& e : file.entries)
    if (e.kind == EnvEntry::Kind::kAssignment && wanted.contains(e.key) && e.spans_lines())
      merge.problems.push_back(
          {e.line, fmt::format("the value of {}, a key mosaic-fleet owns, continues past "
                               "the end of the line (an unclosed quote or a trailing backslash), "
                               "so systemd reads the lines after it as part of it; close the "
                               "quote or remove the backslash, and mosaic-fleet will rewrite the "
                               "key without touching your lines",
                               e.key)});
  if (!merge.ok()) {
    std::stable_sort(merge.problems.begin(), merge.problems.end(),
                     [](const EnvProblem& a, const EnvProblem& b) { return a.line < b.line; });
    return merge;
  }

  // New lines follow the file's own line endings.
  const std::string newline = existing.find("\r\n") != std::string_view::npos ? "\r\n"
                              : existing.find('\r') != std::string_view::npos &&
                                      existing.find('\n') == std::string_view::npos
                                  ? "\r"
                                  : "\n";
  std::string out = existing.empty() ? kNewFileHeader : "";
  std::set<std::string> written;
  bool drop_lf = false;  // the "\n" completing a dropped entry's "\r\n" (it starts the next prefix)
  for (const EnvEntry& e : file.entries) {
    std::string_view prefix = e.prefix;
    if (drop_lf && prefix.starts_with('\n')) prefix.remove_prefix(1);
    drop_lf = false;
    if (e.kind != EnvEntry::Kind::kAssignment || !wanted.contains(e.key)) {
      out.append(prefix).append(e.body).append(e.terminator);
      continue;
    }
    if (!written.insert(e.key).second) {
      out += UpToLastNewline(prefix);  // a later duplicate would override ours: drop it
      drop_lf = e.terminator == "\r";
      continue;
    }
    out.append(prefix).append(FormatEnvAssignment(e.key, wanted[e.key]));
    out += e.terminator.empty() ? newline : e.terminator;
  }
  bool appending = std::any_of(owned.begin(), owned.end(),
                               [&](const auto& kv) { return !written.contains(kv.first); });
  if (appending && LastCommentSwallowsWhatFollows(file)) {
    const EnvEntry& last = file.entries.back();
    std::string_view body = last.body;  // its own final line break is not a new line
    if (body.ends_with('\n')) body.remove_suffix(1);
    int line = last.line + static_cast<int>(std::count(body.begin(), body.end(), '\n'));
    merge.problems.push_back(
        {line,
         "the file ends in a comment whose last line ends with a backslash, so systemd "
         "(before v254) would read the keys mosaic-fleet adds after it as part of the "
         "comment; remove the backslash"});
    return merge;
  }
  for (const auto& [key, value] : owned) {
    if (written.contains(key)) continue;
    if (!out.empty() && out.back() != '\n' && out.back() != '\r') out += newline;
    out += FormatEnvAssignment(key, value) + newline;
  }
  merge.problems = Verify(out, existing, file, owned);
  if (merge.ok()) merge.content = std::move(out);
  return merge;
}

std::string DescribeEnvProblems(const std::string& path, const std::vector<EnvProblem>& problems) {
  std::string out;
  for (const EnvProblem& p : problems)
    out += p.line > 0 ? fmt::format("{}:{}: {}\n", path, p.line, p.message)
                      : fmt::format("{}: {}\n", path, p.message);
  return out;
}

}  // namespace mosaic
