// PreviousSockets: fleet/run/previous-sockets, the tmux sockets the fleet moved away from
// (its roster's tmux.socket_name changed) whose servers may still hold the tool's sessions.
//
// A socket move rewrites the holder's unit file and the agents' env files, so once an apply
// has begun one, nothing else on disk says where the old sessions are. Apply records the old
// socket before it writes anything, and forgets it only when that socket's server is gone: an
// apply stopped anywhere in between still finds them (docs/operations.md, "Moving the socket").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

/// The record's name in fleet/run/.
inline constexpr char kPreviousSocketsFile[] = "previous-sockets";

/// The sockets the record names, in order, without repeats: one per line, `#` comments and
/// blank lines ignored. A line that is not a safe socket name (a hand edit), or names the
/// default socket, is dropped: the tool never acts on it.
std::vector<std::string> ParsePreviousSockets(std::string_view text);

/// The record's text for `sockets` (its header comment, then one per line).
std::string RenderPreviousSockets(const std::vector<std::string>& sockets);

}  // namespace mosaic
