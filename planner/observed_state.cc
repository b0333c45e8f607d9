#include "observed_state.h"

#include "env_file.h"

namespace mosaic {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedSession, name, pane_pid, dead, owner, runtime, workdir,
                                                command_hash, env_hash)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedUnit, name, load_state, active_state, enabled)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObservedState, tmux_server, tmux_server_pid, sessions, units, files,
                                                env_files, heartbeat_ages, preserved)

nlohmann::json ToJson(const ObservedState& observed) { return observed; }

ObservedState ObservedFromJson(const nlohmann::json& j) { return j.get<ObservedState>(); }

std::string ObservedFingerprint(const ObservedState& observed) {
  nlohmann::json j = observed;
  j.erase("heartbeat_ages");
  return Fingerprint(j.dump());
}

}  // namespace mosaic
