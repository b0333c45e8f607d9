// `agent roster [--json]`: the roster as the tool understands it — defaults applied, and per
// agent where it lives: unit, env file, socket and session, launch command, host.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "agent_command.h"
#include "env_file.h"
#include "exit_codes.h"
#include "fleet_contract.h"
#include "json_text.h"
#include "remote_agent.h"
#include "status_command.h"

namespace mosaic {
namespace {

// What the agent's program is started with. A user's MOSAIC_AGENT_COMMAND in the env file
// replaces the roster's, and is a user value: named, never shown.
struct Launch {
  std::string command;
  bool from_env_file = false;
  std::vector<std::string> user_keys;  ///< keys the user added to the env file (values hidden)
};

Launch LaunchOf(const DesiredAgent& agent, System& system) {
  Launch launch{agent.command};
  Result<std::string> text = system.files().ReadFile(agent.env_path, kMaxEnvFileBytes);
  if (!text.ok()) return launch;
  for (const auto& [key, value] : ParseEnvFile(text.value()).Variables()) {
    if (IsOwnedEnvKey(key)) continue;
    launch.user_keys.push_back(key);
    if (key == kEnvUserCommand && !value.empty()) launch.from_env_file = true;
  }
  return launch;
}

std::string Persona(const std::string& persona) { return persona.empty() ? "false" : persona; }

nlohmann::json AgentJson(const AgentSpec& spec, const std::string& here_host) {
  nlohmann::json j = {{"name", spec.name},
                      {"runtime", spec.runtime},
                      {"class", spec.agent_class},
                      {"model_hint", spec.model_hint},
                      {"persistent_persona", Persona(spec.persistent_persona)},
                      {"reset_between_tasks", spec.reset_between_tasks},
                      {"kickstart_template", spec.kickstart_template},
                      {"state", spec.stopped ? "stopped" : "running"},
                      {"restart", spec.restart},
                      {"heartbeat_stale_after", spec.heartbeat_stale_after},
                      {"host", spec.host.empty() ? here_host : spec.host}};
  return j;
}

}  // namespace

int RunAgentRoster(const AgentRosterOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  const DesiredState& desired = context->desired();
  const std::string this_host =
      options.fleet.host.empty() ? system.environment().hostname : options.fleet.host;

  if (options.names) {
    for (const DesiredAgent& a : desired.agents) io.out << a.spec.name << "\n";
    return kExitSuccess;
  }
  if (options.json) {
    nlohmann::json agents = nlohmann::json::array();
    for (const DesiredAgent& a : desired.agents) {
      Launch launch = LaunchOf(a, system);
      nlohmann::json j = AgentJson(a.spec, this_host);
      j["here"] = true;
      j["unit"] = a.unit;
      j["env_file"] = a.env_path;
      j["working_directory"] = a.workdir;
      j["socket"] = desired.socket;
      j["session"] = a.spec.name;
      j["reset_command"] = a.reset_command;
      j["launch_command"] =
          launch.from_env_file ? nlohmann::json() : nlohmann::json(launch.command);
      j["launch_command_from_env_file"] = launch.from_env_file;
      j["user_env_keys"] = launch.user_keys;
      agents.push_back(std::move(j));
    }
    for (const AgentSpec& spec : desired.elsewhere) {
      nlohmann::json j = AgentJson(spec, this_host);
      j["here"] = false;
      agents.push_back(std::move(j));
    }
    nlohmann::json doc = {{"version", 1},
                          {"roster", context->roster_path()},
                          {"tenant_id", desired.tenant_id},
                          {"socket", desired.socket},
                          {"holder_session", desired.holder_session},
                          {"host", this_host},
                          {"agents", std::move(agents)}};
    io.out << JsonText(doc, 2) << "\n";
    return kExitSuccess;
  }

  io.out << fmt::format("Roster {}: socket tmux -L {}, holder session {}{}\n",
                        context->roster_path(), desired.socket, desired.holder_session,
                        desired.tenant_id.empty() ? "" : ", tenant " + desired.tenant_id);
  for (const DesiredAgent& a : desired.agents) {
    const AgentSpec& s = a.spec;
    Launch launch = LaunchOf(a, system);
    io.out << fmt::format("\n{}  ({}{}{})\n", s.name, s.runtime,
                          s.agent_class.empty() ? "" : ", " + s.agent_class,
                          s.model_hint.empty() ? "" : ", " + s.model_hint);
    io.out << fmt::format("  unit       {}{}\n", a.unit, s.stopped ? "  (state: stopped)" : "");
    io.out << fmt::format("  session    ={} on tmux -L {}\n", s.name, desired.socket);
    io.out << fmt::format(
        "  env file   {}{}\n", a.env_path,
        launch.user_keys.empty()
            ? ""
            : fmt::format("  (yours: {}; values not shown)", fmt::join(launch.user_keys, ", ")));
    io.out << fmt::format(
        "  launch     {}\n",
        launch.from_env_file
            ? fmt::format("{} from the env file (a user value, not shown)", kEnvUserCommand)
            : a.command);
    io.out << fmt::format("  directory  {}\n", a.workdir);
    io.out << fmt::format("  host       {}\n", s.host.empty() ? this_host + " (any host)" : s.host);
    io.out << fmt::format(
        "  reset      {}{}\n",
        a.reset_command.empty() ? "restart (the runtime has no reset_command)" : a.reset_command,
        s.reset_between_tasks ? ", between tasks" : "");
    if (!s.kickstart_template.empty())
      io.out << fmt::format("  kickstart  {}\n", s.kickstart_template);
    io.out << fmt::format("  persona    {}   restart {}   heartbeat stale after {}s\n",
                          Persona(s.persistent_persona) == "false"
                              ? "disposable"
                              : "persistent (" + Persona(s.persistent_persona) + ")",
                          s.restart, s.heartbeat_stale_after);
  }
  for (const AgentSpec& s : desired.elsewhere)
    io.out << fmt::format("\n{}  ({}) on host {}: managed there, not here\n", s.name, s.runtime,
                          s.host);
  return kExitSuccess;
}

// `agent status NAME…`: here, or — when every NAME is an agent of one other host reached by
// the same `ssh:` target — there.
int RunAgentStatus(const StatusOptions& options, System& system, Io& io) {
  if (!options.names.empty()) {
    std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
    if (!context) return kExitError;
    const AgentSpec* first = nullptr;
    size_t remote = 0;
    bool one_target = true;
    for (const std::string& name : options.names)
      if (const AgentSpec* agent = RemoteAgent(*context, name)) {
        if (!first) first = agent;
        one_target = one_target && agent->ssh == first->ssh;
        ++remote;
      }
    if (remote == options.names.size() && one_target) {
      RemoteCall call{{"status"}};
      call.args.insert(call.args.end(), options.names.begin(), options.names.end());
      if (options.json) call.args.emplace_back("--json");
      PassFleetOptions(options.fleet, call);
      return RunOnAgentsHost(*first, call, system, io);
    }
    if (remote > 0) {
      io.err << "error: ask about agents of one host at a time: some of these run here, or on "
                "hosts reached by different ssh targets\n";
      return kExitError;
    }
  }
  return RunStatus(options, system, io);
}

}  // namespace mosaic
