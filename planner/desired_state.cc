#include "desired_state.h"

#include <algorithm>
#include <cctype>

#include "fleet_contract.h"
#include "unit_files.h"

namespace mosaic {

std::string ShellQuote(std::string_view word) {
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_-./=:,+@%").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string LaunchCommand(const Roster& roster, const AgentSpec& agent) {
  auto runtime = roster.runtimes.find(agent.runtime);
  // A runtime's own command is run as written (it can read $MOSAIC_AGENT_MODEL): appending
  // `--model` to, say, `cat` would make it die at once.
  if (runtime != roster.runtimes.end() && !runtime->second.command.empty())
    return runtime->second.command;
  std::string command = "mosaic yolo " + ShellQuote(agent.runtime);
  if (!agent.model_hint.empty()) command += " --model " + ShellQuote(agent.model_hint);
  return command;
}

const ManagedUnitFile* DesiredState::UnitFile(std::string_view name) const {
  for (const ManagedUnitFile& file : unit_files)
    if (file.name == name) return &file;
  return nullptr;
}

std::string HostName(std::string_view host) {
  std::string s(host.substr(0, host.find('.')));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsThisHost(std::string_view host, std::string_view this_host) {
  if (host.empty() || HostName(host) == "localhost") return true;
  return HostName(host) == HostName(this_host);
}

DesiredState MakeDesiredState(const Roster& roster, const FleetPaths& paths,
                              const DesiredOptions& options) {
  DesiredState desired;
  desired.paths = paths;
  desired.roster_path = options.roster_path;
  desired.reconcile = roster.reconcile;
  desired.socket = roster.socket_name;
  desired.tenant_id = roster.tenant_id;
  desired.holder_session = roster.holder_session;
  desired.binary = options.binary;
  desired.binary_in_build_tree = options.binary_in_build_tree;
  desired.binary_kept_over = options.binary_kept_over;
  UnitFileInputs inputs{
      options.binary,   roster.socket_name, roster.holder_session,      paths.mosaic_home,
      paths.agents_dir, paths.config_home,  HostName(options.this_host)};
  auto unit_file = [&](std::string name, std::string content, std::string wanted_by, bool run) {
    std::string path = paths.unit_dir + "/" + name;
    desired.unit_files.push_back(
        {std::move(name), std::move(path), std::move(content), std::move(wanted_by), run});
  };
  unit_file(kHolderUnit, RenderHolderUnit(inputs), "default.target", true);
  unit_file(kAgentTemplateUnit, RenderAgentTemplateUnit(inputs), "default.target", false);
  if (roster.reconcile) {
    // The timer runs; the service only when the timer starts it.
    unit_file(kReconcileService, RenderReconcileService(inputs, options.roster_path), "", false);
    unit_file(kReconcileTimer, RenderReconcileTimer(roster.reconcile->interval), "timers.target",
              true);
  }
  for (const AgentSpec& spec : roster.agents) {
    if (!IsThisHost(spec.host, options.this_host)) {
      desired.elsewhere.push_back(spec);
      continue;
    }
    DesiredAgent agent;
    agent.spec = spec;
    agent.unit = AgentUnitName(spec.name);
    agent.env_path = paths.EnvFile(spec.name);
    agent.workdir = ExpandHome(spec.working_directory, paths.home);
    agent.command = LaunchCommand(roster, spec);
    if (auto runtime = roster.runtimes.find(spec.runtime); runtime != roster.runtimes.end())
      agent.reset_command = runtime->second.reset_command;
    agent.owned_env = {
        {std::string(kEnvAgentName), spec.name},
        {std::string(kEnvAgentRuntime), spec.runtime},
        {std::string(kEnvAgentModel), spec.model_hint},
        {std::string(kEnvAgentWorkdir), agent.workdir},
        {std::string(kEnvRuntimeCommand), agent.command},
        {std::string(kEnvTmuxSocket), roster.socket_name},
        {std::string(kEnvTmuxHolder), roster.holder_session},
    };
    if (spec.restart != kDefaultRestart)
      unit_file(AgentDropInName(spec.name), RenderAgentRestartDropIn(spec.restart), "", false);
    desired.agents.push_back(std::move(agent));
  }
  return desired;
}

}  // namespace mosaic
