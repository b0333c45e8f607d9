#include "fleet_paths.h"

namespace mosaic {

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.starts_with("~/")) return home + path.substr(1);
  return path;
}

std::string HeartbeatBesideEnvFile(const std::string& env_file) {
  constexpr std::string_view kAgents = "/agents/", kSuffix = ".env";
  size_t agents = env_file.rfind(kAgents);
  if (agents == std::string::npos || !env_file.ends_with(kSuffix)) return "";
  std::string name = env_file.substr(agents + kAgents.size());
  if (name.size() <= kSuffix.size() || name.find('/') != std::string::npos) return "";
  name.resize(name.size() - kSuffix.size());
  return env_file.substr(0, agents) + "/run/" + name + ".hb";
}

Result<std::string> DefaultRoster(const Environment& env) {
  Result<FleetPaths> paths = ResolveFleetPaths(env);
  if (!paths.ok()) return paths.status();
  return paths.value().roster;
}

std::string TmuxSocketDirectory(const std::string& tmux_tmpdir, int64_t uid) {
  std::string base = tmux_tmpdir.starts_with("/") ? tmux_tmpdir : "/tmp";
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/tmux-" + std::to_string(uid);
}

Result<FleetPaths> ResolveFleetPaths(const Environment& env) {
  if (env.home.empty())
    return Status::Error(
        "HOME is not set (as under cron, `env -i` or a system service): mosaic-fleet needs it to "
        "find the roster and ~/.config/systemd/user; run it with the user's HOME");
  if (!env.home.starts_with("/"))
    return Status::Error("HOME=" + env.home + " is not an absolute path");
  if (!env.xdg_config_home.empty() && !env.xdg_config_home.starts_with("/"))
    return Status::Error("XDG_CONFIG_HOME=" + env.xdg_config_home + " is not an absolute path");
  if (!env.mosaic_home.empty() && !env.mosaic_home.starts_with("/"))
    return Status::Error("MOSAIC_HOME=" + env.mosaic_home + " is not an absolute path");
  FleetPaths paths;
  paths.home = env.home;
  paths.config_home = env.xdg_config_home.empty() ? env.home + "/.config" : env.xdg_config_home;
  const std::string& config = paths.config_home;
  paths.mosaic_home = env.mosaic_home.empty() ? config + "/mosaic" : env.mosaic_home;
  paths.fleet_dir = paths.mosaic_home + "/fleet";
  paths.roster = paths.fleet_dir + "/roster.yaml";
  paths.agents_dir = paths.fleet_dir + "/agents";
  paths.run_dir = paths.fleet_dir + "/run";
  paths.unit_dir = config + "/systemd/user";
  return paths;
}

}  // namespace mosaic
