#include "agent_access.h"

#include <fmt/format.h>

#include "apply_lock.h"
#include "fleet_contract.h"

namespace mosaic {

Result<AgentAccess> OpenAgent(FleetContext& context, const std::string& name) {
  Result<const DesiredAgent*> agent = context.Agent(name);
  if (!agent.ok()) return agent.status();
  Result<const Tmux*> tmux = context.tmux();
  if (!tmux.ok()) return tmux.status();
  return AgentAccess{agent.value(), AgentPane(*tmux.value(), name)};
}

Result<std::unique_ptr<ApplyLockHandle>> LockInput(System& system, const std::string& name) {
  const Environment& env = system.environment();
  return system.LockAgent(AgentLockPath(env.xdg_runtime_dir, env.uid, "input", name),
                          kInputLockSeconds, "is typing into this agent");
}

Result<PaneState> PaneReadyForInput(const AgentPane& pane, const std::string& socket) {
  Result<PaneState> state = pane.Inspect();
  if (!state.ok()) return state;
  const ObservedSession& session = state.value().session;
  if (session.owner != kOwnerAgent)
    return Status::Error(fmt::format(
        "session {} on tmux -L {} was not created by mosaic-fleet (status shows CONFLICT): "
        "nothing is typed into it",
        pane.name(), socket));
  if (session.dead)
    return Status::Error(fmt::format(
        "{}'s program {}: nothing can take the text (`mosaic-fleet agent tail {}` shows its last "
        "output; `mosaic-fleet restart {}` starts it again)",
        pane.name(), HowItEnded(session), pane.name(), pane.name()));
  return state;
}

Result<std::vector<std::string>> Deliver(const AgentPane& pane, System& system,
                                         const std::string& text, bool submit) {
  if (Status pasted = pane.Paste(text, fmt::format("mosaic-send-{}", system.ProcessId()));
      !pasted.ok())
    return pasted;
  system.Sleep(kSubmitPause);
  Result<std::vector<std::string>> before = pane.Screen();
  if (!before.ok()) return before;
  if (submit)
    if (Status entered = pane.PressEnter(); !entered.ok()) return entered;
  return before;
}

Result<bool> WaitUntilQuiet(const AgentPane& pane, System& system, std::chrono::milliseconds quiet,
                            std::chrono::milliseconds bound) {
  constexpr std::chrono::milliseconds kLook{250};
  const auto start = system.Monotonic();
  Result<std::vector<std::string>> last = pane.Screen();
  if (!last.ok()) return last.status();
  auto unchanged_since = system.Monotonic();
  while (system.Monotonic() - start < bound) {
    system.Sleep(kLook);
    Result<std::vector<std::string>> now = pane.Screen();
    if (!now.ok()) return now.status();
    if (now.value() != last.value()) {
      last = std::move(now);
      unchanged_since = system.Monotonic();
    } else if (system.Monotonic() - unchanged_since >= quiet) {
      return true;
    }
  }
  return false;
}

}  // namespace mosaic
