// ShellCommand: what /bin/sh would do with an agent's command line, where that can be told
// without a shell. An agent's command is the one roster value a shell runs; most are plain
// words ("claude --model opus", "mosaic yolo codex"), which the shell would only split at
// spaces and look up on PATH. Those are run directly: the agent is then its pane's own program,
// and one process fewer per agent stays behind (dash forks a command's program and waits for
// it, where it could exec it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// The program a shell command line runs first — its first word, when that is a plain word
/// (a command starting with an assignment, a quote, an expansion or a shell keyword or builtin
/// gives "": only the shell knows what it runs).
std::string ProgramOfCommand(std::string_view command);

/// The words of `command` when the shell would run it exactly so: words of ordinary characters
/// only (ASCII letters and digits, `_ . / , : @ % + - =`, and any byte of a multi-byte UTF-8
/// character), separated by spaces and tabs, the first a program (ProgramOfCommand). Nothing
/// to quote, expand, redirect, join or assign. nullopt otherwise: only a shell can run it.
std::optional<std::vector<std::string>> PlainCommandWords(std::string_view command);

}  // namespace mosaic
