// AgentAccess: what every `agent` verb does first — find the agent in this host's roster and
// reach its pane on the fleet's socket (tmux only: no user manager needed) — and the one way
// text is delivered to an agent, shared by send and reset.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent_pane.h"
#include "fleet_context.h"

namespace mosaic {

struct AgentAccess {
  const DesiredAgent* agent;
  AgentPane pane;
};

/// Agent `name` of this host's roster, with its pane. REQUIRES: `context` outlives the result
/// and is not moved meanwhile.
Result<AgentAccess> OpenAgent(FleetContext& context, const std::string& name);

/// The pane now, if it can take input: it runs, and the tool created it (text is never typed
/// into a stranger's session that happens to have an agent's name).
Result<PaneState> PaneReadyForInput(const AgentPane& pane, const std::string& socket);

/// How long a sender waits for another one typing into the same agent. A reset holds the
/// lock to its end: through a restart (bounded by --job-timeout, twice) and the quiet wait
/// before its kickstart (30 s at most).
inline constexpr double kInputLockSeconds = 300;

/// Agent `name`'s input lock, held while text goes in: two senders' messages never merge
/// into one submission.
Result<std::unique_ptr<ApplyLockHandle>> LockInput(System& system, const std::string& name);

/// The pause between a paste and the Enter that submits it: some agents' input boxes take an
/// Enter that arrives with the paste as part of it.
inline constexpr std::chrono::milliseconds kSubmitPause{300};

/// Pastes `text` into the pane, then, when `submit`, presses Enter after kSubmitPause.
/// Returns the screen as it was just before the Enter (or after the paste), for receipts.
Result<std::vector<std::string>> Deliver(const AgentPane& pane, System& system,
                                         const std::string& text, bool submit);

/// Waits until the pane's screen has not changed for `quiet`, at most `bound`: an agent that
/// just started or reset is ready for text once it stops drawing. False when the bound came
/// first (the text is sent anyway: a busy spinner never stops).
Result<bool> WaitUntilQuiet(const AgentPane& pane, System& system, std::chrono::milliseconds quiet,
                            std::chrono::milliseconds bound);

}  // namespace mosaic
