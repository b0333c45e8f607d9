#include "fleet_paths.h"

namespace mosaic {

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.starts_with("~/")) return home + path.substr(1);
  return path;
}

std::string TmuxSocketDirectory(const std::string& tmux_tmpdir, int64_t uid) {
  std::string base = tmux_tmpdir.starts_with("/") ? tmux_tmpdir : "/tmp";
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/tmux-" + std::to_string(uid);
}

FleetPaths ResolveFleetPaths(const Environment& env) {
  FleetPaths paths;
  paths.home = env.home;
  std::string config = env.xdg_config_home.empty() ? env.home + "/.config" : env.xdg_config_home;
  paths.mosaic_home = env.mosaic_home.empty() ? config + "/mosaic" : env.mosaic_home;
  paths.roster = paths.mosaic_home + "/fleet/roster.yaml";
  paths.agents_dir = paths.mosaic_home + "/fleet/agents";
  paths.run_dir = paths.mosaic_home + "/fleet/run";
  paths.unit_dir = config + "/systemd/user";
  return paths;
}

}  // namespace mosaic
