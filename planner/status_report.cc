#include "status_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "unit_files.h"

namespace mosaic {
namespace {

// Everything a row of one name is built from.
struct Sources {
  const ObservedUnit* unit = nullptr;
  const ObservedSession* session = nullptr;
};

// `owner`: who should have created the session (kOwnerAgent, kOwnerHolder).
std::string SessionState(const ObservedSession* session, bool stopped, std::string_view owner) {
  if (!session) return stopped ? "stopped" : "missing";
  if (session->owner != owner) return "foreign";
  if (!session->dead) return "running";
  if (session->dead_status >= 0) return "dead (exit " + std::to_string(session->dead_status) + ")";
  if (session->dead_signal >= 0)
    return "dead (signal " + std::to_string(session->dead_signal) + ")";
  return "dead";
}

class StatusBuilder {
 public:
  StatusBuilder(const DesiredState& desired, const ObservedState& observed, const Plan& plan)
      : desired_(desired), observed_(observed), plan_(plan) {}

  StatusReport Build() {
    StatusReport report{
        desired_.socket, desired_.tenant_id, observed_.tmux_server, observed_.tmux_server_pid, {}};
    report.rows.push_back(Holder());
    for (const DesiredAgent& agent : desired_.agents) report.rows.push_back(Agent(agent));
    for (const AgentSpec& agent : desired_.elsewhere) report.rows.push_back(Elsewhere(agent));
    AddUnnamed(report.rows);
    for (const ResourceChange& change : plan_.changes)
      if (change.drift && change.address.starts_with("unit_file."))
        report.changed_unit_files.push_back(change.address.substr(10));
    return report;
  }

 private:
  Sources Find(const std::string& name, const std::string& unit_name) const {
    Sources s;
    if (auto u = observed_.units.find(unit_name); u != observed_.units.end()) s.unit = &u->second;
    if (auto x = observed_.sessions.find(name); x != observed_.sessions.end())
      s.session = &x->second;
    return s;
  }

  // The observed columns every row has.
  StatusRow Observed(StatusRowKind kind, const std::string& name, const Sources& s,
                     bool stopped) const {
    StatusRow r;
    r.kind = kind;
    r.name = name;
    r.unit_state = s.unit ? s.unit->active_state : "not-found";
    if (s.unit && s.unit->active_state == "failed") r.unit_result = s.unit->result;
    r.enabled = s.unit && s.unit->enabled;
    r.session = SessionState(s.session, stopped,
                             kind == StatusRowKind::kHolder ? kOwnerHolder : kOwnerAgent);
    if (s.session) {
      r.pid = s.session->pane_pid;
      r.program = s.session->runtime;
      if (s.session->dead && s.session->dead_status >= 0) r.exit_status = s.session->dead_status;
      if (s.session->activity > 0 && observed_.observed_at >= s.session->activity)
        r.idle_seconds = observed_.observed_at - s.session->activity;
    }
    if (auto hb = observed_.heartbeat_ages.find(name); hb != observed_.heartbeat_ages.end())
      r.heartbeat_age = hb->second;
    if (auto u = observed_.usage.find(name); u != observed_.usage.end()) {
      r.memory_bytes = u->second.memory_bytes;
      r.cpu_seconds = u->second.cpu_seconds;
    }
    return r;
  }

  StatusRow Holder() const {
    Sources s = Find(desired_.holder_session, kHolderUnit);
    StatusRow r = Observed(StatusRowKind::kHolder, desired_.holder_session, s, false);
    r.program = "(holder)";
    r.tenant_id = desired_.tenant_id;
    bool ours = s.session && s.session->owner == kOwnerHolder;
    bool active = s.unit && s.unit->active();
    if (active && !r.enabled) r.flags.push_back(kFlagBootEnable);
    if (ours && s.session->dead) r.flags.push_back(kFlagDead);
    if (!s.session) r.flags.push_back(kFlagMissing);
    if (ours && !active) r.flags.push_back(kFlagUnsupervised);
    if (s.session && !ours) r.flags.push_back(kFlagConflict);
    r.healthy = active && r.enabled && ours && !s.session->dead;
    return r;
  }

  // Where a socket move that has not finished (held, or interrupted) left agent `name`'s
  // session: "" when on no previous socket.
  std::string StillOnPreviousSocket(const std::string& name) const {
    for (const ObservedPreviousSocket& previous : observed_.previous_sockets) {
      auto it = previous.sessions.find(name);
      if (it == previous.sessions.end() || !it->second.owned()) continue;
      return fmt::format(
          "still running on tmux -L {}: the socket move to -L {} is not finished (`mosaic-fleet "
          "plan` says why; `mosaic-fleet apply` finishes it)",
          previous.name, desired_.socket);
    }
    return "";
  }

  StatusRow Agent(const DesiredAgent& agent) const {
    const std::string& name = agent.spec.name;
    Sources s = Find(name, agent.unit);
    bool by_operator =
        std::find(observed_.operator_stopped.begin(), observed_.operator_stopped.end(), name) !=
        observed_.operator_stopped.end();
    bool stopped = agent.spec.stopped || by_operator;
    StatusRow r = Observed(StatusRowKind::kAgent, name, s, stopped);
    Describe(agent.spec, r);
    bool foreign = s.session && !s.session->owned();
    bool active = s.unit && s.unit->active();
    bool alive = s.session && !s.session->dead && !foreign;
    if (stopped) {
      r.flags.push_back(kFlagStopped);
      if (!agent.spec.stopped)
        r.detail =
            fmt::format("stopped by `mosaic-fleet stop`; `mosaic-fleet start {}` starts it", name);
      if (foreign) r.flags.push_back(kFlagConflict);
      // Healthy while it stays stopped, as the roster says.
      r.healthy = !s.session && !active && !r.enabled;
      return r;
    }
    if (const ResourceChange* change = Change(name);
        alive && change && change->action == ChangeAction::kReplace) {
      r.flags.push_back(kFlagDrift);
      r.detail = change->reason;
    }
    if (active && !r.enabled) r.flags.push_back(kFlagBootEnable);
    if (s.session && s.session->dead) r.flags.push_back(kFlagDead);
    if (!s.session) r.flags.push_back(kFlagMissing);
    if (!s.session && r.detail.empty()) r.detail = StillOnPreviousSocket(name);
    if (alive && !active) r.flags.push_back(kFlagUnsupervised);
    // A heartbeat dated in the future (a bad clock, a bad touch) proves nothing: stale too.
    constexpr int64_t kClockSkew = 60;
    bool stale = r.heartbeat_age &&
                 (*r.heartbeat_age > r.heartbeat_stale_after || *r.heartbeat_age < -kClockSkew);
    if (stale) r.flags.push_back(kFlagStaleHeartbeat);
    if (CrashLooping(name, s.unit)) r.flags.push_back(kFlagCrashLoop);
    if (foreign) r.flags.push_back(kFlagConflict);
    r.healthy = active && r.enabled && alive && r.flags.empty();
    return r;
  }

  StatusRow Elsewhere(const AgentSpec& agent) const {
    Sources s = Find(agent.name, AgentUnitName(agent.name));
    StatusRow r = Observed(StatusRowKind::kElsewhere, agent.name, s, false);
    Describe(agent, r);
    r.flags.push_back(kFlagElsewhere);
    // Nothing of it should run here: what the tool left from before it moved is an orphan
    // that `apply` removes; a unit someone else made from the template is theirs, as plan says.
    bool ours = Ours(agent.name, s);
    bool theirs = !ours && s.unit && (s.unit->active() || s.unit->enabled);
    if (ours) r.flags.push_back(kFlagOrphan);
    if (theirs) r.flags.push_back(kFlagUnmanaged);
    if (const ResourceChange* change = Change(agent.name)) {
      r.detail = change->reason;
      if (!change->held.empty()) r.detail += "; held: " + change->held;
    }
    if (!s.session && !s.unit) r.session = "-";
    r.healthy = !ours;
    return r;
  }

  // The tool's: a session it created, or a unit (active or enabled) of an agent it managed
  // here (it leaves an env file). The same test as plan's for what it may remove.
  bool Ours(const std::string& name, const Sources& s) const {
    bool managed = std::find(observed_.env_files.begin(), observed_.env_files.end(), name) !=
                   observed_.env_files.end();
    return (s.session && s.session->owned()) ||
           (s.unit && managed && (s.unit->active() || s.unit->enabled));
  }

  // Sessions on the fleet socket and agent units that no roster entry accounts for.
  void AddUnnamed(std::vector<StatusRow>& rows) const {
    std::set<std::string> named{desired_.holder_session};
    for (const DesiredAgent& a : desired_.agents) named.insert(a.spec.name);
    for (const AgentSpec& a : desired_.elsewhere) named.insert(a.name);
    std::set<std::string> names;
    for (const auto& [name, session] : observed_.sessions)
      if (!named.contains(name)) names.insert(name);
    for (const auto& [unit_name, unit] : observed_.units) {
      std::string agent = AgentOfUnit(unit_name);
      if (!agent.empty() && !named.contains(agent) && (unit.active() || unit.enabled))
        names.insert(agent);
    }
    for (const std::string& name : names) {
      Sources s = Find(name, AgentUnitName(name));
      bool ours = Ours(name, s);
      StatusRow r =
          Observed(ours ? StatusRowKind::kOrphan : StatusRowKind::kUnmanaged, name, s, false);
      if (name == kVerifyCanary) {
        // `verify` is running: its throwaway agent is no fault of the fleet's.
        r.flags.push_back(kFlagVerifyCanary);
        r.healthy = true;
        rows.push_back(std::move(r));
        continue;
      }
      r.flags.push_back(ours ? kFlagOrphan : kFlagUnmanaged);
      // A session someone else made on the socket is theirs: shown, not a fault of the fleet.
      // An agent left out of the roster that still runs is: `apply` removes it.
      r.healthy = !ours;
      rows.push_back(std::move(r));
    }
  }

  void Describe(const AgentSpec& agent, StatusRow& r) const {
    r.host = agent.host;
    r.tenant_id = desired_.tenant_id;
    r.agent_class = agent.agent_class;
    r.runtime = agent.runtime;
    r.model_hint = agent.model_hint;
    r.heartbeat_stale_after = agent.heartbeat_stale_after;
  }

  const ResourceChange* Change(const std::string& agent) const {
    std::string address = "agent." + agent;
    auto it = std::find_if(plan_.changes.begin(), plan_.changes.end(),
                           [&](const ResourceChange& c) { return c.address == address; });
    return it == plan_.changes.end() ? nullptr : &*it;
  }

  bool CrashLooping(const std::string& agent, const ObservedUnit* unit) const {
    if (unit && unit->active_state == "failed" && unit->result == "start-limit-hit") return true;
    return std::any_of(plan_.notes.begin(), plan_.notes.end(), [&](const Note& n) {
      return n.kind == NoteKind::kCrashLoop && n.subject == agent;
    });
  }

  const DesiredState& desired_;
  const ObservedState& observed_;
  const Plan& plan_;
};

}  // namespace

bool StatusRow::HasFlag(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

bool StatusReport::healthy() const {
  return changed_unit_files.empty() &&
         std::all_of(rows.begin(), rows.end(), [](const StatusRow& r) { return r.healthy; });
}

StatusReport MakeStatusReport(const DesiredState& desired, const ObservedState& observed,
                              const Plan& plan) {
  return StatusBuilder(desired, observed, plan).Build();
}

StatusReport SelectRows(const StatusReport& report, const std::vector<std::string>& names,
                        std::vector<std::string>& unknown) {
  StatusReport selected = report;
  selected.rows.clear();
  selected.changed_unit_files.clear();  // about the whole fleet, not the rows asked for
  for (const std::string& name : names) {
    auto it = std::find_if(report.rows.begin(), report.rows.end(),
                           [&](const StatusRow& r) { return r.name == name; });
    if (it == report.rows.end())
      unknown.push_back(name);
    else if (std::none_of(selected.rows.begin(), selected.rows.end(),
                          [&](const StatusRow& r) { return r.name == name; }))
      selected.rows.push_back(*it);
  }
  return selected;
}

}  // namespace mosaic
