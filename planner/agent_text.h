// AgentText: what `agent send` and `agent reset` type into an agent's pane, checked and
// composed without touching anything.
//
// Text reaches the pane through a tmux paste buffer (bracketed paste when the program asked
// for it), so any printable bytes arrive as written. Control characters are refused: an
// escape could end the bracketed paste early and turn the rest of the message into keys the
// agent's program obeys (ESC [201~ is exactly that), and a ^C or ^D would act, not print.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "status.h"

namespace mosaic {

/// The longest message `agent send` delivers (a paste buffer holds more; an agent's input
/// box seldom should).
inline constexpr size_t kMaxMessageBytes = size_t{1} << 20;

/// `text` ready to paste: CRLF and lone CR become LF, one final newline is dropped (the
/// submit is the agent's Enter, not the text's), and what is left must be non-empty, valid
/// UTF-8 without control characters other than tab and newline. `what` names the text in
/// errors ("the message", "kickstart /x.md").
Result<std::string> PasteableText(std::string_view text, std::string_view what);

/// The message as the agent sees it: "[from LABEL] " before the text, so that an agent can
/// tell an operator's words from its peers'. The label is checked like the text, on one line.
Result<std::string> ComposeMessage(std::string_view label, std::string_view text);

/// A kickstart template with its placeholders filled: `{{name}}`, `{{class}}`, `{{model}}`,
/// `{{runtime}}` (spaces inside the braces allowed). Any other `{{…}}` is an error naming
/// the file, line and column, so that a typo never reaches the agent as a literal.
Result<std::string> ExpandKickstart(std::string_view text, const std::string& file,
                                    const std::map<std::string, std::string>& values);

}  // namespace mosaic
