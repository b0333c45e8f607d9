// EnvMerge: an agent's env file with the tool's keys set, and every byte of the user's kept.
//
// The owned keys' entries are rewritten in place (a later duplicate, which would override
// ours, is dropped), missing ones appended; every other byte — user keys such as
// MOSAIC_AGENT_COMMAND, comments, blank lines, line endings (CRLF stays CRLF) — is kept.
//
// A merge that could lose or change anything of the user's is refused instead, with located
// problems: when the file cannot be read unambiguously (see EnvFile), when an owned key's
// value spans lines (an unclosed quote there swallows the user's lines that follow, and
// rewriting it would delete them), or when reading the result back would not give exactly
// the owned values and the user's variables unchanged.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "env_file.h"

namespace mosaic {

/// The owned keys of one agent and their values, in the order the tool writes them.
using OwnedEnv = std::vector<std::pair<std::string, std::string>>;

struct EnvMerge {
  std::string content;               ///< the merged file; meaningful only when ok()
  std::vector<EnvProblem> problems;  ///< why the file must not be rewritten
  bool ok() const { return problems.empty(); }
};

/// `existing` (empty: a new file, which gets a short header) with every owned key set.
/// REQUIRES: owned values hold no control characters (the roster forbids them).
EnvMerge MergeEnvFile(std::string_view existing, const OwnedEnv& owned);

/// The same, with `existing` already parsed: `parsed` is ParseEnvFile(existing).
EnvMerge MergeEnvFile(std::string_view existing, const EnvFile& parsed, const OwnedEnv& owned);

/// "PATH:LINE: message" for each problem, one per line: how errors about an env file are
/// shown wherever they are found.
std::string DescribeEnvProblems(const std::string& path, const std::vector<EnvProblem>& problems);

}  // namespace mosaic
