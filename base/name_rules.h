// NameRules: what makes a roster name safe, and why a given one is not.
//
// Agent names become tmux session names, tmux targets (`=NAME`) and systemd instance names
// (`mosaic-agent@NAME.service`); socket names become `tmux -L NAME`. The schema's patterns
// decide *whether* a value is acceptable; this file explains *why not* in words
// ("may not contain ':'") instead of printing a regular expression.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "status.h"

namespace mosaic {

/// The kinds of constrained strings in a roster; matches the schema's "x-mosaic-rule".
enum class NameRule { kSession, kSocket, kRuntime, kIdentifier, kHost, kDirectory, kText };

std::optional<NameRule> NameRuleFromString(std::string_view rule);

/// Why `value` breaks `rule` ("may not contain ':'"), or nullopt if it does not.
/// `max_length` is the schema's bound for this field.
std::optional<std::string> ExplainNameViolation(NameRule rule, std::string_view value,
                                                size_t max_length);

/// How long a session, socket or unit instance name may be.
inline constexpr size_t kMaxNameLength = 64;

/// Whether `name` is safe as a tmux session name and systemd instance name (the roster's
/// rule for agent names); when not, "WHAT "NAME" WHY".
Status CheckSessionName(std::string_view what, std::string_view name);

/// `value` as a double-quoted string with control characters escaped, for messages.
std::string Quoted(std::string_view value);

}  // namespace mosaic
