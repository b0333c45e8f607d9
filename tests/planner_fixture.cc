#include "planner_fixture.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "env_merge.h"
#include "make_plan.h"
#include "roster_loader.h"
#include "unit_files.h"

namespace mosaic::testing_support {

DesiredState Desired(const std::string& roster_yaml) {
  RosterLoad load = ParseRoster(roster_yaml, "roster.yaml");
  EXPECT_TRUE(load.roster.has_value())
      << (load.diagnostics.empty() ? "" : load.diagnostics[0].message);
  Environment env;
  env.home = kHome;
  return MakeDesiredState(
      load.roster.value_or(Roster{}), ResolveFleetPaths(env).value(),
      {"here", "/usr/bin/mosaic-fleet", std::string(kHome) + "/.config/mosaic/fleet/roster.yaml"});
}

ObservedState Converged(const DesiredState& desired) {
  ObservedState observed;
  observed.tmux_server = true;
  observed.tmux_server_pid = 100;
  for (const ManagedUnitFile& file : desired.unit_files) {
    observed.files[file.path] = file.content;
    if (file.run) observed.units[file.name] = {file.name, "loaded", "active", true};
  }
  observed.sessions[desired.holder_session] = {
      desired.holder_session, 101, false, kOwnerHolder, "", "", "", ""};
  int64_t pid = 200;
  for (const DesiredAgent& agent : desired.agents) {
    std::string env = MergeEnvFile("", agent.owned_env).content;
    observed.files[agent.env_path] = env;
    observed.env_files.push_back(agent.spec.name);
    observed.units[agent.unit] = {agent.unit, "loaded", "active", true};
    LaunchIdentity id = IdentityOfEnv(env);
    observed.sessions[agent.spec.name] = {
        agent.spec.name,    pid++,         false,           kOwnerAgent,
        agent.spec.runtime, agent.workdir, id.command_hash, id.env_hash};
  }
  return observed;
}

ObservedState ObservedFixture(const DesiredState& desired, const nlohmann::json& fixture) {
  nlohmann::json observed =
      fixture["base"] == "converged" ? ToJson(Converged(desired)) : ToJson(ObservedState{});
  observed.merge_patch(fixture["patch"]);
  return ObservedFromJson(observed);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace mosaic::testing_support
