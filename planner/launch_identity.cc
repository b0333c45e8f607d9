#include "launch_identity.h"

#include <map>

#include "env_file.h"
#include "fingerprint.h"
#include "fleet_contract.h"

namespace mosaic {

LaunchIdentity IdentityOfEnv(const std::string& env_content) {
  std::map<std::string, std::string> vars = ParseEnvFile(env_content).Variables();
  LaunchIdentity identity;
  auto user = vars.find(std::string(kEnvUserCommand));
  identity.user_command = user != vars.end() && !user->second.empty();
  identity.command = identity.user_command ? user->second : vars[std::string(kEnvRuntimeCommand)];
  identity.command_hash = Fingerprint(identity.command);
  identity.env_hash = EnvFingerprint(vars);
  return identity;
}

}  // namespace mosaic
