#include "make_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <range/v3/algorithm/set_algorithm.hpp>
#include <range/v3/iterator/insert_iterators.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/map.hpp>
#include <range/v3/view/transform.hpp>
#include <set>
#include <unordered_map>

#include "env_file.h"
#include "env_merge.h"
#include "fingerprint.h"
#include "launch_identity.h"
#include "line_diff.h"
#include "name_rules.h"
#include "unit_files.h"

namespace mosaic {

namespace {

// An owned key's value as a plan shows it: quoted, control characters escaped (a hand-edited
// value must not drive the terminal), and cut short.
std::string ShownValue(const std::string& value) {
  constexpr size_t kMax = 120;
  if (value.size() <= kMax) return Quoted(value);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) --cut;
  return Quoted(value.substr(0, cut)) + "…";
}

class Planner {
 public:
  Planner(const DesiredState& desired, const ObservedState& observed, const PlanOptions& options)
      : desired_(desired), observed_(observed), options_(options) {}

  Plan Run() {
    plan_.targets = options_.targets;
    plan_.replace.assign(options_.replace.begin(), options_.replace.end());
    plan_.socket = desired_.socket;
    plan_.observed_fingerprint = ObservedFingerprint(observed_);
    for (const ObservedPreviousSocket& p : observed_.previous_sockets) {
      if (p.name == desired_.socket) continue;
      previous_.push_back(&p);
      bool ours_there = std::any_of(p.sessions.begin(), p.sessions.end(),
                                    [](const auto& entry) { return entry.second.owned(); });
      if (p.server && (p.server_in_holder || ours_there)) move_underway_ = true;
      if (!p.unreadable.empty()) unreadable_.push_back(&p);
    }
    RefuseWhatAMoveCannotDo();
    if (!options_.targets.empty()) {
      plan_.notes.push_back({NoteKind::kTargeted,
                             fmt::format("{}", fmt::join(options_.targets, ", ")),
                             "the plan is limited to the targeted agents: other drift is not shown "
                             "and will not be fixed"});
    }
    PlanUnitFiles();
    PlanEnvFiles();
    PlanRunningUnits();
    for (const DesiredAgent& agent : desired_.agents)
      if (Targeted(agent.spec.name)) PlanAgent(agent);
    PlanRemovals();
    PlanPreviousSockets();
    PlanRetiredUnitFiles();
    Report();
    HoldSocketMove();
    AssembleSteps();
    return std::move(plan_);
  }

 private:
  bool Targeted(const std::string& name) const {
    return options_.targets.empty() || std::find(options_.targets.begin(), options_.targets.end(),
                                                 name) != options_.targets.end();
  }

  const ObservedUnit* Unit(const std::string& name) const {
    auto it = observed_.units.find(name);
    return it == observed_.units.end() ? nullptr : &it->second;
  }

  const ObservedSession* Session(const std::string& name) const {
    auto it = observed_.sessions.find(name);
    return it == observed_.sessions.end() ? nullptr : &it->second;
  }

  const std::string* File(const std::string& path) const {
    auto it = observed_.files.find(path);
    return it == observed_.files.end() ? nullptr : &it->second;
  }

  // The variables an env file's text sets, as systemd reads them. Several parts of the plan
  // ask (the socket check, the launch identities, the changes shown): each distinct text is
  // parsed once. Only the variables are kept, not the parsed entries: a fleet of 1000 agents
  // would hold 5 MB of those.
  using Variables = std::map<std::string, std::string>;
  const Variables& VariablesOf(const std::string& text, const EnvFile* parsed = nullptr) const {
    auto it = variables_.find(text);
    if (it == variables_.end())
      it = variables_.emplace(text, parsed ? parsed->Variables() : ParseEnvFile(text).Variables())
               .first;
    return it->second;
  }

  // A unit that runs from file `name`: the file's own, or for the agent template any agent's.
  std::string UnitOfFile(const std::string& name) const {
    if (name != kAgentTemplateUnit) return name;
    return desired_.agents.empty() ? name : desired_.agents.front().unit;
  }

  void PlanUnitFile(const std::string& path, const std::string& content, const std::string& unit) {
    const std::string* existing = File(path);
    if (existing && *existing == content) {
      const auto& stale = observed_.stale_unit_files;
      if (std::find(stale.begin(), stale.end(), unit) == stale.end()) return;
      // Written, but never loaded: an apply was stopped between the write and the reload.
      plan_.changes.push_back({"unit_file." + unit,
                               ChangeAction::kUpdate,
                               "systemd still runs an older copy of this unit file (an apply "
                               "stopped before its daemon-reload?): reloading",
                               {{"loaded", "outdated", "current", false}},
                               {}});
      reload_ = true;
      return;
    }
    if (RefuseSymlink(path)) return;
    const ObservedUnit* loaded = Unit(UnitOfFile(unit));
    bool edited = existing ? UnitFileEditedByHand(*existing)
                           : loaded && loaded->load_state == "loaded";  // deleted by hand
    ResourceChange change{
        "unit_file." + unit,
        existing ? ChangeAction::kUpdate : ChangeAction::kCreate,
        edited && !existing ? "deleted outside mosaic-fleet while its unit is loaded: restored"
        : edited            ? "edited outside mosaic-fleet since it wrote the file: restored"
        : existing ? "the unit file differs from what the roster and this mosaic-fleet produce"
                   : "the unit file is missing",
        {{"path", existing ? path : "", path, false}},
        LineDiff(existing ? *existing : "", content)};
    change.drift = edited;
    plan_.changes.push_back(std::move(change));
    unit_writes_.push_back(Step::WriteFile(path, content, 0644));
    reload_ = true;
    if (unit == kHolderUnit && existing) holder_unit_changed_ = true;
  }

  void PlanUnitFiles() {
    for (const ManagedUnitFile& file : desired_.unit_files)
      PlanUnitFile(file.path, file.content, file.name);
    // Removed by an apply stopped before its daemon-reload: systemd still has it loaded.
    const auto& retired = observed_.retired_unit_files;
    for (const std::string& file : observed_.stale_unit_files) {
      if (desired_.UnitFile(file) ||
          std::find(retired.begin(), retired.end(), file) != retired.end())
        continue;
      plan_.changes.push_back({"unit_file." + file,
                               ChangeAction::kUpdate,
                               "removed, but systemd still has it loaded (an apply stopped before "
                               "its daemon-reload?): reloading",
                               {{"loaded", "outdated", "", false}},
                               {}});
      reload_ = true;
    }
  }

  // A unit file the tool wrote that the roster no longer calls for: its unit is stopped and
  // disabled, then the file removed (recognised by the tool's header, so never the user's).
  void PlanRetiredUnitFiles() {
    for (const std::string& name : observed_.retired_unit_files) {
      const ObservedUnit* unit = Unit(name);
      ResourceChange change{"unit_file." + name,
                            ChangeAction::kDelete,
                            "written by mosaic-fleet, and no longer called for by the roster",
                            {{"path", desired_.paths.unit_dir + "/" + name, "", false}},
                            {}};
      // An unattended run is that service: stopping it would end the run halfway. It ends by
      // itself; disabling and removing its file is enough.
      bool self = options_.unattended && name == kReconcileService;
      if (unit && unit->active() && !self) {
        change.attributes.push_back({"active", unit->active_state, "inactive", false});
        stop_.push_back(name);
      }
      if (unit && unit->enabled) {
        change.attributes.push_back({"enabled", "true", "false", false});
        disable_.push_back(name);
      }
      plan_.changes.push_back(std::move(change));
      removals_.push_back(Step::RemoveFile(desired_.paths.unit_dir + "/" + name));
    }
  }

  void PlanEnvFiles() {
    for (const DesiredAgent& agent : desired_.agents) {
      if (!Targeted(agent.spec.name)) continue;
      const std::string* existing = File(agent.env_path);
      static const std::string kNewFile;
      const std::string& text = existing ? *existing : kNewFile;
      EnvFile parsed = ParseEnvFile(text);
      EnvMerge merge = MergeEnvFile(text, parsed, agent.owned_env);
      if (!merge.ok()) {
        // Rewriting it could lose the user's lines: refuse, say where, and leave the agent be.
        for (const EnvProblem& p : merge.problems)
          plan_.errors.push_back({Severity::kError, agent.env_path, {p.line, 0}, "", p.message});
        continue;
      }
      const std::string& merged = merge.content;
      // (The merge keeps the user's variables and lines, so the file as it is tells.)
      if (std::optional<Diagnostic> mismatch =
              SocketDirectoryMismatch(agent, parsed, VariablesOf(text, &parsed))) {
        plan_.errors.push_back(std::move(*mismatch));
        continue;
      }
      merged_env_[agent.spec.name] = merged;
      if (existing && *existing == merged) continue;
      if (RefuseSymlink(agent.env_path)) {
        merged_env_.erase(agent.spec.name);
        continue;
      }
      const Variables& before = VariablesOf(text);
      // Changed outside mosaic-fleet: deleted while its agent runs, or edited since its
      // session started with it (an apply that writes it restarts the session).
      const ObservedSession* session = Session(agent.spec.name);
      const ObservedUnit* unit = Unit(agent.unit);
      bool drift = existing ? session && session->owned() &&
                                  IdentityOfVariables(before).env_hash != session->env_hash
                            : (session && session->owned()) || (unit && unit->active());
      ResourceChange change{"env_file." + agent.spec.name,
                            existing ? ChangeAction::kUpdate : ChangeAction::kCreate,
                            drift && existing ? "owned keys were edited outside mosaic-fleet"
                            : drift           ? "deleted outside mosaic-fleet while its agent runs"
                            : existing        ? "keys owned by mosaic-fleet differ from the roster"
                                              : "the agent's env file is missing",
                            {},
                            {}};
      change.drift = drift;
      for (const auto& [key, value] : agent.owned_env) {
        auto old = before.find(key);
        if (old != before.end() && old->second == value) continue;
        change.attributes.push_back(
            {key, old == before.end() ? "" : ShownValue(old->second), ShownValue(value), false});
      }
      // User keys may hold secrets: they are kept, and never printed.
      for (const auto& [key, value] : before)
        if (!IsOwnedEnvKey(key))
          change.attributes.push_back({key, "(user value kept)", "(user value kept)", false});
      plan_.changes.push_back(std::move(change));
      env_writes_.push_back(Step::MergeEnvFile(agent.env_path, agent.owned_env));
    }
  }

  // Whether `path`, which needs writing, is a symbolic link: then it is an error, found here
  // rather than halfway through an apply.
  bool RefuseSymlink(const std::string& path) {
    const auto& links = observed_.symlinks;
    if (std::find(links.begin(), links.end(), path) == links.end()) return false;
    plan_.errors.push_back(
        {Severity::kError,
         path,
         {},
         "",
         fmt::format("needs rewriting, but it is a symbolic link, and mosaic-fleet never writes "
                     "through one (it could point anywhere); replace it with a regular file: "
                     "cp --remove-destination \"$(readlink -f {0})\" {0}",
                     ShellQuote(path))});
    return true;
  }

  // A TMUX_TMPDIR in an agent's env file gives its unit another socket directory than the
  // manager's: its session would start on a tmux server other than the holder's, unseen.
  std::optional<Diagnostic> SocketDirectoryMismatch(const DesiredAgent& agent, const EnvFile& file,
                                                    const Variables& vars) const {
    auto it = vars.find("TMUX_TMPDIR");
    if (it == vars.end() ||
        TmuxSocketDirectory(it->second, 0) == TmuxSocketDirectory(observed_.tmux_tmpdir, 0))
      return std::nullopt;
    int line = 0;
    for (const EnvEntry& e : file.entries)
      if (e.kind == EnvEntry::Kind::kAssignment && e.key == "TMUX_TMPDIR") line = e.line;
    return Diagnostic{
        Severity::kError,
        agent.env_path,
        {line, 0},
        "",
        fmt::format("TMUX_TMPDIR here differs from the user manager's ({}), so agent {}'s "
                    "session would start on another tmux server than the fleet's; remove the "
                    "line (to move the fleet's sockets, set TMUX_TMPDIR for the manager: "
                    "`systemctl --user set-environment TMUX_TMPDIR=…`)",
                    observed_.tmux_tmpdir.empty() ? "unset" : observed_.tmux_tmpdir,
                    agent.spec.name)};
  }

  // The units that must run (the holder; a timer): enabled, and active.
  void PlanRunningUnits() {
    for (const ManagedUnitFile& file : desired_.unit_files) {
      if (!file.run) continue;
      const ObservedUnit* unit = Unit(file.name);
      bool active = unit && unit->active();
      bool enabled = unit && unit->enabled;
      bool holder = file.name == kHolderUnit;
      // Only while the holder runs the unit file the roster calls for: a holder of another
      // socket has its server elsewhere, and restarting it would end every live session
      // there — unless the fleet is moving from that socket, whose server is moved out of the
      // holder's cgroup first (DetachServer).
      bool holder_current =
          !holder_unit_changed_ &&
          std::find(observed_.stale_unit_files.begin(), observed_.stale_unit_files.end(),
                    kHolderUnit) == observed_.stale_unit_files.end();
      // A socket move restarts it too, once every server of an earlier socket is out of its
      // cgroup (DetachServer): the restart then ends nothing.
      bool restart =
          holder && active && !observed_.tmux_server && (holder_current || move_underway_);
      if (restart && !unreadable_.empty()) {
        // What runs on a socket that could not be read may be in the holder's cgroup.
        plan_.errors.push_back(
            {Severity::kError,
             desired_.roster_path,
             {},
             "",
             fmt::format("the holder must restart, but the fleet's earlier socket -L {} could "
                         "not be read ({}); nothing on it would survive the restart if its "
                         "server is in the holder. Fix or end that server, then apply",
                         unreadable_.front()->name, unreadable_.front()->unreadable)});
        continue;
      }
      if (restart) {
        // Nothing can be lost by restarting it: the server, and every session, is gone.
        server_lost_ = true;
        ResourceChange change{"unit." + file.name,
                              ChangeAction::kUpdate,
                              "the holder runs but its tmux server is gone (crashed, killed, out "
                              "of memory): restarting it, then the agents",
                              {{"tmux_server", "gone", "running", false}},
                              {}};
        change.drift = !move_underway_;
        if (move_underway_) {
          change.reason = fmt::format(
              "the fleet's socket moves to -L {}: the holder restarts to start the server there "
              "(a server of the old socket is first moved out of its cgroup, so nothing on it "
              "ends), then the agents",
              desired_.socket);
          change.attributes = {{"socket", PreviousNames(), desired_.socket, false}};
        }
        if (!enabled) change.attributes.push_back({"enabled", "false", "true", false});
        plan_.changes.push_back(std::move(change));
        if (!enabled) enable_.push_back(file.name);
        restart_holder_.push_back(file.name);
        continue;
      }
      if (active && enabled) continue;
      ResourceChange change{"unit." + file.name,
                            File(file.path) ? ChangeAction::kUpdate : ChangeAction::kCreate,
                            holder ? "the holder owns the fleet's tmux server and must run (and "
                                     "start at boot)"
                                   : "the unit must run (and start at boot)",
                            {},
                            {}};
      if (!enabled) change.attributes.push_back({"enabled", "false", "true", false});
      if (!active)
        change.attributes.push_back({"active", unit ? unit->active_state : "", "active", false});
      if (change.action == ChangeAction::kCreate) {
        change.reason = holder ? "new holder: owns the fleet's tmux server on -L " + desired_.socket
                               : "new unit";
      } else if (unit && unit->load_state == "loaded") {
        change.drift = true;
        change.reason = fmt::format("{}{}", !active ? "stopped" : "disabled",
                                    !active && !enabled ? " and disabled" : "") +
                        " outside mosaic-fleet";
        if (!active && unit->active_state == "failed")
          change.reason = fmt::format("its unit failed ({}); starting it again",
                                      unit->result.empty() ? "failed" : unit->result);
      }
      plan_.changes.push_back(std::move(change));
      if (!enabled) enable_.push_back(file.name);
      if (!active) (holder ? start_holder_ : start_units_).push_back(file.name);
    }
  }

  bool HasEnvFile(const std::string& name) const {
    return std::find(observed_.env_files.begin(), observed_.env_files.end(), name) !=
           observed_.env_files.end();
  }

  // Why a change that ends a live session is not made in this run ("" when it is): a
  // persistent persona (unless --replace names it), or an unattended run (unless the roster's
  // reconcile.allow_destroy).
  std::string HoldOfLiveSession(const std::string& name, const std::string& persona) const {
    if (options_.replace.contains(name)) return "";
    if (persona == "true")
      return fmt::format(
          "persistent persona: its context would be lost; `mosaic-fleet apply "
          "--replace {}` releases it",
          name);
    if (!options_.unattended) return "";
    if (persona == "semi")
      return fmt::format(
          "semi-persistent persona: an unattended run leaves it; `mosaic-fleet "
          "apply` does it");
    if (desired_.reconcile && desired_.reconcile->allow_destroy) return "";
    return "an unattended run never ends a live session (reconcile.allow_destroy: false); "
           "`mosaic-fleet apply` does it";
  }

  // What would make the agent's start fail, found before starting it: an error located at
  // the agent's roster entry. Returns whether there is one.
  bool StartWouldFail(const DesiredAgent& agent) {
    const std::string& name = agent.spec.name;
    std::string problem;
    const auto& dirs = observed_.missing_directories;
    if (std::find(dirs.begin(), dirs.end(), name) != dirs.end())
      problem = fmt::format(
          "agent {}'s working directory {} does not exist (or is not a "
          "directory); create it, or set working_directory",
          name, Quoted(agent.workdir));
    else if (auto it = observed_.missing_programs.find(name);
             it != observed_.missing_programs.end())
      problem = fmt::format(
          "agent {}'s command runs {}, which is not found on the PATH its unit "
          "runs with; install it, set the runtime's command, or set PATH in {}",
          name, Quoted(it->second), agent.env_path);
    if (problem.empty()) return false;
    plan_.errors.push_back(
        {Severity::kError, desired_.roster_path, agent.spec.location, "", problem});
    return true;
  }

  void PlanAgent(const DesiredAgent& agent) {
    const std::string& name = agent.spec.name;
    if (!merged_env_.contains(name)) return;  // its env file is in error: reported there
    const ObservedSession* session = Session(name);
    if (agent.spec.stopped || OperatorStopped(name))
      return PlanStoppedAgent(agent, session && session->owned() ? session : nullptr);
    const ObservedUnit* unit = Unit(agent.unit);
    bool active = unit && unit->active();
    bool enabled = unit && unit->enabled;
    if (session && !session->owned()) return PlanAdoption(agent, active, enabled);
    // An agent the tool has managed before (it leaves an env file): whatever is missing now
    // was changed outside it, never "new".
    bool known = HasEnvFile(name) || session;
    LaunchIdentity want = IdentityOfVariables(VariablesOf(merged_env_[name]));

    // systemd gave up on it: starting it again would only crash again, until something
    // about it changes.
    if ((!session || session->dead) && unit && unit->active_state == "failed" &&
        unit->result == "start-limit-hit" && !AgentFilesChange(agent)) {
      plan_.notes.push_back(
          {NoteKind::kCrashLoop, name,
           fmt::format("crash-looping: systemd stopped restarting it (its start limit); see "
                       "`journalctl --user -u {0}` or `mosaic-fleet status`, fix the cause, then "
                       "change the roster or run `systemctl --user reset-failed {0}` and apply",
                       agent.unit)});
      return;
    }
    ResourceChange change{"agent." + name, ChangeAction::kUpdate, "", {}, {}};
    std::vector<std::string>* batch = nullptr;  // start_ or restart_, if the agent needs one
    const ObservedPreviousSocket* moved_from = session ? nullptr : PreviousSocketOf(name);
    if (moved_from) {
      // A pane cannot move between tmux servers: its program starts again on the new one.
      change.action = ChangeAction::kReplace;
      change.reason =
          fmt::format("moves with the fleet from -L {} to -L {}: its program starts again there",
                      moved_from->name, desired_.socket);
      change.attributes = {{"socket", moved_from->name, desired_.socket, true}};
      if (!moved_from->sessions.at(name).dead)
        change.held = HoldOfLiveSession(name, agent.spec.persistent_persona);
      // The holder's restart restarts it (PartOf=); otherwise its unit must.
      batch = server_lost_ || !active ? &start_ : &restart_;
    } else if (!session) {
      change.action = ChangeAction::kCreate;
      change.drift = known;
      if (server_lost_) {
        change.reason = "the fleet's tmux server was lost; started again once the holder is back";
        batch = &start_;  // the holder's restart restarts its active agents (PartOf=)
      } else if (unit && unit->active_state == "failed") {
        change.reason = fmt::format("its unit failed ({}); starting it again",
                                    unit->result.empty() ? "failed" : unit->result);
        batch = &start_;
      } else if (active) {
        change.reason = "the session was killed outside mosaic-fleet while its unit ran";
        batch = &restart_;
      } else if (known) {
        change.reason = unit && unit->load_state == "loaded"
                            ? "its unit was stopped outside mosaic-fleet"
                            : "its unit is not running (stopped outside mosaic-fleet?)";
        batch = &start_;
      } else {
        change.reason = "new agent";
        batch = &start_;
      }
      if (options_.unattended && known && !server_lost_ && agent.spec.restart == "never")
        change.held =
            "restart: never: an unattended run does not start it again; "
            "`mosaic-fleet apply` does";
      if (known)
        change.attributes = {{"session", "", "running", false}};
      else
        change.attributes = {{"runtime", "", agent.spec.runtime, false},
                             {"working_directory", "", agent.workdir, false}};
    } else if (session->dead) {
      change.action = ChangeAction::kReplace;
      change.drift = true;
      change.reason = fmt::format("its program {}; restarting it", HowItEnded(*session));
      change.attributes = {{"session", "dead", "running", true}};
      if (options_.unattended && agent.spec.restart == "never")
        change.held =
            "restart: never: an unattended run leaves it dead; `mosaic-fleet apply` "
            "restarts it";
      batch = &restart_;
    } else {
      std::vector<std::string> why;
      if (session->runtime != agent.spec.runtime) {
        change.attributes.push_back({"runtime", session->runtime, agent.spec.runtime, true});
        why.push_back(fmt::format("runtime {} → {}",
                                  session->runtime.empty() ? "(unknown)" : session->runtime,
                                  agent.spec.runtime));
      }
      if (session->workdir != agent.workdir) {
        change.attributes.push_back({"working_directory", session->workdir, agent.workdir, true});
        why.push_back(fmt::format("working directory {} → {}", session->workdir, agent.workdir));
      }
      if (session->command_hash != want.command_hash) {
        // The user's own command line is a user value: it may carry a secret.
        std::string shown = want.user_command ? "(MOSAIC_AGENT_COMMAND: user value)" : want.command;
        change.attributes.push_back(
            {"command", session->command_hash.empty() ? "" : "(previous)", shown, true});
        // A new runtime brings its own command; say so only when the command changed alone.
        if (why.empty() || session->runtime == agent.spec.runtime)
          why.push_back("launch command changed");
      }
      if (why.empty() && session->env_hash != want.env_hash) {
        change.attributes.push_back({"environment", "(previous)", "(env file as merged)", true});
        why.push_back(EnvEditedByHand(agent, *session) ? "environment file edited"
                                                       : "environment file changed");
        change.drift = EnvEditedByHand(agent, *session);
      }
      if (!why.empty()) {
        change.action = ChangeAction::kReplace;
        change.reason = fmt::format("{} forces replacement", fmt::join(why, ", "));
        change.held = HoldOfLiveSession(name, agent.spec.persistent_persona);
        batch = &restart_;
      } else if (!active) {
        change.drift = true;
        change.reason = "its unit was stopped outside mosaic-fleet; its session still runs";
        change.attributes.push_back(
            {"active", unit ? unit->active_state : "inactive", "active", false});
        batch = &start_;
      }
    }
    if (!enabled) {
      change.attributes.push_back({"enabled", "false", "true", false});
      if (change.reason.empty()) {
        change.drift = known;
        change.reason = known ? "disabled outside mosaic-fleet: would not come back after a reboot"
                              : "not enabled: would not come back after a reboot";
      }
      enable_.push_back(agent.unit);
    }
    if (!change.held.empty()) HoldEnvFile(agent, change.held);
    if (batch && change.held.empty() && StartWouldFail(agent)) return;
    if (batch && change.held.empty()) batch->push_back(agent.unit);
    if (!change.attributes.empty()) plan_.changes.push_back(std::move(change));
  }

  // A session the tool did not create holds the agent's name: never touched, unless the
  // operator adopts it (`--replace NAME`): then it ends, and the agent starts in its place.
  void PlanAdoption(const DesiredAgent& agent, bool active, bool enabled) {
    const std::string& name = agent.spec.name;
    if (!options_.replace.contains(name)) {
      plan_.errors.push_back(
          {Severity::kError, desired_.roster_path, agent.spec.location, "",
           fmt::format("a session named {0} on -L {1} was not created by mosaic-fleet, so agent "
                       "{0} cannot start; mosaic-fleet never touches it. Rename it (tmux -L {1} "
                       "rename-session -t ={0} NEW), end it (tmux -L {1} kill-session -t ={0}), "
                       "rename the agent, or adopt it: `mosaic-fleet apply --replace {0}` ends "
                       "it and starts agent {0} in its place",
                       name, desired_.socket)});
      return;
    }
    if (StartWouldFail(agent)) return;
    ResourceChange change{
        "agent." + name,
        ChangeAction::kReplace,
        fmt::format("adopts session {0}, which mosaic-fleet did not create (--replace {0}): it "
                    "ends, and agent {0} starts in its place",
                    name),
        {{"session", "not mosaic-fleet's", "mosaic-fleet's", true}},
        {}};
    if (!enabled) {
      change.attributes.push_back({"enabled", "false", "true", false});
      enable_.push_back(agent.unit);
    }
    adopt_.push_back(name);
    (active ? restart_ : start_).push_back(agent.unit);
    plan_.changes.push_back(std::move(change));
  }

  // A held agent's env file keeps what its session runs with: rewritten now, the change would
  // take effect at the next restart of any kind, which is what holding it rules out.
  void HoldEnvFile(const DesiredAgent& agent, const std::string& why) {
    std::erase_if(env_writes_, [&](const Step& s) { return s.path == agent.env_path; });
    for (ResourceChange& c : plan_.changes)
      if (c.address == "env_file." + agent.spec.name) c.held = why;
  }

  // `state: stopped`: the unit stopped and disabled, exactly its session ended.
  void PlanStoppedAgent(const DesiredAgent& agent, const ObservedSession* session) {
    const ObservedUnit* unit = Unit(agent.unit);
    ResourceChange change{"agent." + agent.spec.name,
                          ChangeAction::kUpdate,
                          agent.spec.stopped
                              ? "state: stopped in the roster"
                              : fmt::format("stopped by an operator (`mosaic-fleet start {}` "
                                            "starts it again)",
                                            agent.spec.name),
                          {},
                          {}};
    bool live = session && !session->dead;
    if (live) change.held = HoldOfLiveSession(agent.spec.name, agent.spec.persistent_persona);
    if (unit && unit->active()) {
      change.attributes.push_back({"active", unit->active_state, "inactive", false});
      if (change.held.empty()) stop_.push_back(agent.unit);
    } else if (session) {
      if (change.held.empty()) kill_.push_back(agent.spec.name);
    }
    if (session) change.attributes.push_back({"session", live ? "running" : "dead", "", false});
    if (unit && unit->enabled) {
      change.attributes.push_back({"enabled", "true", "false", false});
      if (change.held.empty()) disable_.push_back(agent.unit);
    }
    if (!change.attributes.empty()) plan_.changes.push_back(std::move(change));
  }

  bool OperatorStopped(const std::string& agent) const {
    return std::find(observed_.operator_stopped.begin(), observed_.operator_stopped.end(), agent) !=
           observed_.operator_stopped.end();
  }

  // Whether the agent's env file or one of its unit files is rewritten by this plan: what
  // lets an apply start a crash-looping agent again.
  bool AgentFilesChange(const DesiredAgent& agent) const {
    const std::string* env = File(agent.env_path);
    if (!env || *env != merged_env_.at(agent.spec.name)) return true;
    for (const std::string& file :
         {std::string(kAgentTemplateUnit), AgentDropInName(agent.spec.name)})
      if (const ManagedUnitFile* desired = desired_.UnitFile(file)) {
        const std::string* existing = File(desired->path);
        if (!existing || *existing != desired->content) return true;
      }
    return false;
  }

  // Whether the env file was changed since the session started with it (by hand, not by a
  // roster change, which only an apply writes — and an apply restarts the session with it).
  bool EnvEditedByHand(const DesiredAgent& agent, const ObservedSession& session) const {
    const std::string* env = File(agent.env_path);
    return env && IdentityOfVariables(VariablesOf(*env)).env_hash != session.env_hash;
  }

  // Agents that run here but belong here no more: gone from the roster, or moved to another
  // host (the roster keeps them, this machine must not).
  void PlanRemovals() {
    namespace views = ranges::views;
    std::set<std::string> in_roster;
    for (const DesiredAgent& a : desired_.agents) in_roster.insert(a.spec.name);
    std::map<std::string, const AgentSpec*> moved;
    for (const AgentSpec& a : desired_.elsewhere) moved[a.name] = &a;
    // Agents that exist here: an active or enabled unit, or a session the tool made.
    std::set<std::string> present =
        observed_.units | views::values |
        views::filter([](const ObservedUnit& u) { return u.active() || u.enabled; }) |
        views::transform([](const ObservedUnit& u) { return AgentOfUnit(u.name); }) |
        views::filter([](const std::string& agent) { return !agent.empty(); }) |
        ranges::to<std::set>;
    for (const ObservedSession& s : observed_.sessions | views::values)
      if (s.owned()) present.insert(s.name);
    std::vector<std::string> gone;
    ranges::set_difference(present, in_roster, ranges::back_inserter(gone));
    for (const std::string& name : gone) {
      if (!Targeted(name)) continue;
      const ObservedUnit* unit = Unit(AgentUnitName(name));
      const ObservedSession* session = Session(name);
      auto moved_to = moved.find(name);
      const AgentSpec* elsewhere = moved_to == moved.end() ? nullptr : moved_to->second;
      // The tool leaves an env file of every agent it managed, and marks every session it
      // made; a unit with neither was started by hand, and is not the tool's to stop.
      bool was_managed = (session && session->owned()) ||
                         std::find(observed_.env_files.begin(), observed_.env_files.end(), name) !=
                             observed_.env_files.end();
      if (!was_managed) {
        plan_.notes.push_back(
            {NoteKind::kUnmanagedUnit, AgentUnitName(name),
             fmt::format("runs, but {} {} and mosaic-fleet never managed it here: left alone "
                         "(stop it with `systemctl --user disable --now {}`)",
                         name,
                         elsewhere ? fmt::format("belongs to host {}", elsewhere->host)
                                   : std::string("is not in the roster"),
                         AgentUnitName(name))});
        continue;
      }
      ResourceChange change{"agent." + name,
                            ChangeAction::kDelete,
                            elsewhere ? fmt::format("moved to host {}", elsewhere->host)
                                      : std::string("no longer in the roster"),
                            {},
                            {}};
      // A moved agent keeps its persona: ending it here loses its context as surely.
      if (session && session->owned() && !session->dead)
        change.held = HoldOfLiveSession(name, elsewhere ? elsewhere->persistent_persona : "");
      if (!change.held.empty()) {
        // Shown, not made: nothing of it changes in this run.
      } else if (unit && unit->active()) {
        change.attributes.push_back({"active", unit->active_state, "inactive", false});
        stop_.push_back(unit->name);
      } else if (session && session->owned()) {
        kill_.push_back(name);
      }
      if (session && session->owned())
        change.attributes.push_back({"session", session->dead ? "dead" : "running", "", false});
      if (unit && unit->enabled) {
        change.attributes.push_back({"enabled", "true", "false", false});
        if (change.held.empty()) disable_.push_back(unit->name);
      }
      plan_.changes.push_back(std::move(change));
    }
  }

  // The sockets the fleet moved away from, for messages: "a" or "a, b".
  std::string PreviousNames() const {
    return fmt::format(
        "{}", fmt::join(previous_ | ranges::views::transform(
                                        [](const ObservedPreviousSocket* p) { return p->name; }),
                        ", "));
  }

  // The socket the fleet moved away from where agent `name` has a session the tool made.
  const ObservedPreviousSocket* PreviousSocketOf(const std::string& name) const {
    for (const ObservedPreviousSocket* p : previous_)
      if (auto it = p->sessions.find(name); it != p->sessions.end() && it->second.owned()) return p;
    return nullptr;
  }

  std::string PersonaOf(const std::string& name) const {
    for (const DesiredAgent& a : desired_.agents)
      if (a.spec.name == name) return a.spec.persistent_persona;
    for (const AgentSpec& a : desired_.elsewhere)
      if (a.name == name) return a.persistent_persona;
    return "";
  }

  // What is left on the sockets the fleet moved away from (tmux.socket_name changed): each is
  // recorded before anything is written, its server is moved out of the holder's cgroup
  // before the holder restarts, the tool's sessions there end once the agents run on the new
  // socket, and its server ends when nothing else runs on it. Sessions the tool did not create
  // are never touched: their server stays, in its own scope, for as long as they run.
  void PlanPreviousSockets() {
    for (const ObservedPreviousSocket* p : previous_) {
      if (!p->unreadable.empty()) {
        plan_.notes.push_back(
            {NoteKind::kPreviousSocket, p->name,
             fmt::format("the fleet's earlier socket -L {} could not be read ({}): left alone",
                         p->name, p->unreadable)});
        continue;
      }
      ResourceChange change{"previous_socket." + p->name, ChangeAction::kDelete, "", {}, {}};
      if (!p->server) {
        // The holder's unit file still names it, and nothing runs there: nothing to move.
        if (!p->recorded) continue;
        change.reason = fmt::format(
            "the fleet moved to -L {}; this socket's server is gone: forgotten", desired_.socket);
        change.attributes = {{"recorded", "true", "", false}};
        plan_.changes.push_back(std::move(change));
        retire_.push_back(p->name);
        continue;
      }
      if (!p->recorded) record_.push_back(p->name);
      std::vector<std::string> ours, others;
      for (const auto& [name, session] : p->sessions) {
        if (session.owned()) {
          ours.push_back(name);
          if (session.dead) continue;
          if (std::string hold = HoldOfLiveSession(name, PersonaOf(name)); !hold.empty())
            move_holds_.push_back(fmt::format("{} ({})", name, hold));
        } else if (session.owner != kOwnerHolder) {
          others.push_back(name);
        }
      }
      if (!ours.empty()) {
        change.attributes.push_back(
            {"sessions", fmt::format("{}", fmt::join(ours, ", ")), "", false});
        kill_on_.emplace_back(p->name, ours);
      }
      if (p->server_in_holder) {
        change.attributes.push_back({"cgroup", kHolderUnit, PreviousServerScope(p->name), false});
        detach_.push_back(p->name);
      }
      if (others.empty()) {
        change.attributes.push_back({"server", "running", "", false});
        change.reason = fmt::format(
            "the fleet moved to -L {}: once its agents run there, the sessions mosaic-fleet made "
            "here end, and so does this socket's server (nothing else runs on it)",
            desired_.socket);
        retire_.push_back(p->name);
      } else {
        change.action = ChangeAction::kUpdate;
        change.reason = fmt::format(
            "the fleet moved to -L {}: once its agents run there, the sessions mosaic-fleet made "
            "here end; the server stays for the sessions it did not create",
            desired_.socket);
        plan_.notes.push_back(
            {NoteKind::kPreviousSocket, p->name,
             fmt::format("the fleet moved to -L {}, but sessions mosaic-fleet did not create still "
                         "run on -L {} ({}): their server is left running, outside the holder "
                         "({}), and ends at the first apply after they do",
                         desired_.socket, p->name, fmt::join(others, ", "),
                         PreviousServerScope(p->name))});
      }
      if (!change.attributes.empty()) plan_.changes.push_back(std::move(change));
    }
  }

  // What a plan cannot do while the fleet moves between sockets (errors: apply refuses).
  void RefuseWhatAMoveCannotDo() {
    if (!move_underway_) return;
    auto refuse = [&](std::string message) {
      plan_.errors.push_back({Severity::kError, desired_.roster_path, {}, "", std::move(message)});
    };
    if (!options_.targets.empty())
      refuse(fmt::format(
          "the fleet is moving from -L {} to -L {}, and every agent moves with it: a run limited "
          "to some agents (--target, or start/stop/restart NAME) cannot make the move. Run "
          "`mosaic-fleet apply`",
          PreviousNames(), desired_.socket));
    if (observed_.tmux_server_outside_holder)
      refuse(fmt::format(
          "the fleet is moving to -L {}, but a tmux server already runs there that {} did not "
          "start (by hand, or kept for sessions after an earlier move away from it): the fleet "
          "cannot move onto it. End it (`tmux -L {} kill-server` ends every session on it) or "
          "choose another tmux.socket_name",
          desired_.socket, kHolderUnit, desired_.socket));
  }

  // A socket move restarts every agent (the holder's restart does): while one of them may not
  // end now (a persistent persona, an unattended run), nothing of the move is made — nor
  // anything else, since every other change would land on a server that is not there yet.
  void HoldSocketMove() {
    if (move_holds_.empty()) return;
    std::string why = fmt::format("the move to -L {} ends every agent's session; it waits for: {}",
                                  desired_.socket, fmt::join(move_holds_, "; "));
    for (ResourceChange& change : plan_.changes)
      if (change.held.empty()) change.held = why;
    unit_writes_.clear();
    env_writes_.clear();
    removals_.clear();
    reload_ = false;
    for (auto* names :
         {&enable_, &restart_holder_, &start_holder_, &start_, &restart_, &start_units_, &stop_,
          &disable_, &kill_, &adopt_, &record_, &detach_, &retire_})
      names->clear();
    kill_on_.clear();
  }

  void Report() {
    std::set<std::string> known;
    for (const DesiredAgent& a : desired_.agents) known.insert(a.spec.name);
    for (const AgentSpec& a : desired_.elsewhere) {
      known.insert(a.name);
      // A moved agent that still runs here has its destroy (or its unmanaged-unit note).
      bool runs_here =
          std::any_of(plan_.changes.begin(), plan_.changes.end(),
                      [&](const ResourceChange& c) { return c.address == "agent." + a.name; });
      if (!runs_here)
        plan_.notes.push_back({NoteKind::kManagedElsewhere, a.name,
                               fmt::format("managed on host {}, not here", a.host)});
      if (HasEnvFile(a.name))
        plan_.notes.push_back(
            {NoteKind::kPreservedData, desired_.paths.EnvFile(a.name),
             fmt::format("env file of an agent now on host {}: kept (delete it yourself if "
                         "unwanted)",
                         a.host)});
    }
    for (const auto& [name, session] : observed_.sessions) {
      if (session.owned() || session.owner == kOwnerHolder || known.contains(name)) continue;
      plan_.notes.push_back(
          {NoteKind::kUnmanagedSession, name,
           fmt::format("session {} on -L {} was not created by mosaic-fleet; it is left alone",
                       name, desired_.socket)});
    }
    for (const std::string& name : observed_.env_files) {
      if (known.contains(name)) continue;
      plan_.notes.push_back(
          {NoteKind::kPreservedData, desired_.paths.EnvFile(name),
           "env file of an agent no longer in the roster: kept (delete it yourself if unwanted)"});
    }
    for (const std::string& path : observed_.preserved)
      plan_.notes.push_back(
          {NoteKind::kPreservedData, path, "user data: never modified or deleted"});
    for (const DesiredAgent& a : desired_.agents)
      if (OperatorStopped(a.spec.name) && !a.spec.stopped)
        plan_.notes.push_back(
            {NoteKind::kOperatorStopped, a.spec.name,
             fmt::format("kept stopped by `mosaic-fleet stop` ({}); `mosaic-fleet start {}` "
                         "starts it",
                         desired_.paths.OperatorStop(a.spec.name), a.spec.name)});
    for (const DesiredAgent& a : desired_.agents) {
      auto age = observed_.heartbeat_ages.find(a.spec.name);
      if (age != observed_.heartbeat_ages.end() && age->second > a.spec.heartbeat_stale_after)
        plan_.notes.push_back({NoteKind::kStaleHeartbeat, a.spec.name,
                               fmt::format("last heartbeat {}s ago (stale after {}s)", age->second,
                                           a.spec.heartbeat_stale_after)});
    }
    if (desired_.binary_in_build_tree && !unit_writes_.empty())
      plan_.notes.push_back(
          {NoteKind::kBuildTreeBinary, desired_.binary,
           "the unit files would run this binary, which lies in a build tree: rebuilding or "
           "removing the tree breaks every agent at its next start. Install it (`cmake "
           "--install build`, or the .deb) and apply with the installed binary, or pass "
           "--binary PATH"});
    if (!desired_.binary_kept_over.empty())
      plan_.notes.push_back(
          {NoteKind::kInstalledBinaryKept, desired_.binary,
           fmt::format("the units keep running this installed mosaic-fleet, not the build at {0} "
                       "that made this plan; `--binary {0}` would move them to the build",
                       desired_.binary_kept_over)});
    if (holder_unit_changed_ && !move_underway_)
      plan_.notes.push_back(
          {NoteKind::kHolderUnitChanged, kHolderUnit,
           "the new holder unit takes effect when the holder restarts; apply never restarts it, "
           "because that ends every session"});
  }

  void AssembleSteps() {
    auto batch = [&](StepKind kind, std::vector<std::string> names) {
      if (!names.empty()) plan_.steps.push_back(Step::OnUnits(kind, std::move(names)));
    };
    // First the old socket is recorded: from the next write on, only the record says where it is.
    if (!record_.empty())
      plan_.steps.push_back(Step::RecordSockets(desired_.paths.PreviousSockets(), record_));
    for (Step& s : unit_writes_) plan_.steps.push_back(std::move(s));
    for (Step& s : env_writes_) plan_.steps.push_back(std::move(s));
    if (reload_) plan_.steps.push_back(Step::DaemonReload());
    batch(StepKind::kEnableUnits, enable_);
    for (const std::string& socket : detach_) plan_.steps.push_back(Step::DetachServer(socket));
    // The holder first, on its own: only it may start the tmux server.
    batch(StepKind::kRestartUnits, restart_holder_);
    batch(StepKind::kStartUnits, start_holder_);
    batch(StepKind::kAdoptSessions, adopt_);
    batch(StepKind::kStartUnits, start_);
    batch(StepKind::kRestartUnits, restart_);
    batch(StepKind::kStartUnits, start_units_);
    batch(StepKind::kStopUnits, stop_);
    batch(StepKind::kDisableUnits, disable_);
    batch(StepKind::kKillSessions, kill_);
    for (auto& [socket, names] : kill_on_)
      plan_.steps.push_back(Step::KillSessionsOn(socket, std::move(names)));
    for (const std::string& socket : retire_)
      plan_.steps.push_back(Step::RetireSocket(desired_.paths.PreviousSockets(), socket));
    // Retired unit files go once their units are stopped and disabled; then a reload.
    for (Step& s : removals_) plan_.steps.push_back(std::move(s));
    if (!removals_.empty()) plan_.steps.push_back(Step::DaemonReload());
  }

  const DesiredState& desired_;
  const ObservedState& observed_;
  const PlanOptions& options_;
  Plan plan_;
  std::map<std::string, std::string> merged_env_;
  mutable std::unordered_map<std::string, Variables> variables_;  ///< see VariablesOf
  std::vector<Step> unit_writes_, env_writes_;
  std::vector<std::string> enable_, restart_holder_, start_holder_, start_, restart_, start_units_,
      stop_, disable_, kill_, adopt_;
  std::vector<Step> removals_;
  std::vector<const ObservedPreviousSocket*> previous_;  ///< sockets the fleet moved away from
  std::vector<std::string> record_, detach_, retire_;    ///< previous sockets, by what is done
  std::vector<std::pair<std::string, std::vector<std::string>>> kill_on_;  ///< socket → sessions
  std::vector<std::string> move_holds_;  ///< live sessions a socket move may not end, and why
  /// A previous socket still has a server with the tool's sessions, or in the holder's cgroup:
  /// the move is not finished.
  bool move_underway_ = false;
  std::vector<const ObservedPreviousSocket*> unreadable_;  ///< previous sockets tmux did not answer
  bool reload_ = false;  ///< a unit file is written, or the manager's copy of one is outdated
  bool holder_unit_changed_ = false;
  bool server_lost_ = false;  ///< the holder runs, its server does not: it is restarted
};

}  // namespace

Plan MakePlan(const DesiredState& desired, const ObservedState& observed,
              const PlanOptions& options) {
  return Planner(desired, observed, options).Run();
}

}  // namespace mosaic
