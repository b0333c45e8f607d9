#include "launch_identity.h"

#include <map>

#include "env_file.h"
#include "fingerprint.h"
#include "fleet_contract.h"

namespace mosaic {

LaunchIdentity IdentityOfEnv(const std::string& env_content) {
  return IdentityOfVariables(ParseEnvFile(env_content).Variables());
}

LaunchIdentity IdentityOfVariables(const std::map<std::string, std::string>& vars) {
  LaunchIdentity identity;
  auto user = vars.find(std::string(kEnvUserCommand));
  identity.user_command = user != vars.end() && !user->second.empty();
  auto runtime = vars.find(std::string(kEnvRuntimeCommand));
  identity.command = identity.user_command   ? user->second
                     : runtime != vars.end() ? runtime->second
                                             : std::string();
  identity.command_hash = Fingerprint(identity.command);
  if (identity.user_command || runtime != vars.end()) {
    identity.env_hash = EnvFingerprint(vars);
  } else {
    // Without either command the runtime's counts as set, to nothing: sessions carry this
    // hash, and it has been computed so since the first release.
    std::map<std::string, std::string> with_runtime = vars;
    with_runtime[std::string(kEnvRuntimeCommand)];
    identity.env_hash = EnvFingerprint(with_runtime);
  }
  return identity;
}

}  // namespace mosaic
