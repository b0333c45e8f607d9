#include "unit_files.h"

#include <fmt/format.h>

namespace mosaic {

bool IsToolUnitFileName(std::string_view name) {
  for (std::string_view known :
       {kHolderUnit, kAgentTemplateUnit, kReconcileService, kReconcileTimer})
    if (name == known) return true;
  return false;
}

std::string UnitFileName(std::string_view unit) {
  return AgentOfUnit(unit).empty() ? std::string(unit) : std::string(kAgentTemplateUnit);
}

std::string AgentUnitName(std::string_view agent) {
  return fmt::format("mosaic-agent@{}.service", agent);
}

std::string AgentOfUnit(std::string_view unit) {
  constexpr std::string_view prefix = "mosaic-agent@", suffix = ".service";
  if (!unit.starts_with(prefix) || !unit.ends_with(suffix) ||
      unit.size() <= prefix.size() + suffix.size())
    return "";
  return std::string(unit.substr(prefix.size(), unit.size() - prefix.size() - suffix.size()));
}

std::string SystemdWord(std::string_view word) {
  std::string escaped;
  bool needs_quotes = word.empty();
  for (char c : word) {
    if (c == '%')
      escaped += "%%";
    else if (c == '"' || c == '\\')
      escaped += {'\\', c}, needs_quotes = true;
    else
      escaped += c;
    if (c == ' ' || c == '\t' || c == '\'' || c == ';') needs_quotes = true;
  }
  return needs_quotes ? "\"" + escaped + "\"" : escaped;
}

namespace {

std::string EscapeSpecifiers(std::string_view path) {
  std::string out;
  for (char c : path) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

}  // namespace

std::string RenderHolderUnit(const UnitFileInputs& in) {
  std::string bin = SystemdWord(in.binary);
  return fmt::format(
      "{header}"
      "[Unit]\n"
      "Description=mosaic-fleet tmux holder (tmux -L {socket})\n"
      "Documentation=man:tmux(1)\n"
      "StartLimitIntervalSec=120\n"
      "StartLimitBurst=5\n"
      "\n"
      "[Service]\n"
      "# Starts the server, says it is ready, then lives as long as the server does: a server\n"
      "# that dies fails this unit, and systemd starts a new one (and the agents, which need it).\n"
      "Type=notify\n"
      "NotifyAccess=main\n"
      "ExecStart={bin} holder run --socket {socket} --session {holder}\n"
      "Restart=on-failure\n"
      "RestartSec=1s\n"
      "# The tmux server forks into this unit's cgroup: it lives exactly as long as the holder,\n"
      "# and stopping the holder ends it (and so every session).\n"
      "\n"
      "[Install]\n"
      "WantedBy=default.target\n",
      fmt::arg("header", kUnitFileHeader), fmt::arg("bin", bin),
      fmt::arg("socket", SystemdWord(in.socket)),
      fmt::arg("holder", SystemdWord(in.holder_session)));
}

std::string RenderAgentTemplateUnit(const UnitFileInputs& in) {
  std::string bin = SystemdWord(in.binary);
  return fmt::format(
      "{header}"
      "[Unit]\n"
      "Description=mosaic-fleet agent %i\n"
      "Requires={holder_unit}\n"
      "After={holder_unit}\n"
      "PartOf={holder_unit}\n"
      "# A crash loop ends here: 5 starts within 2 minutes, and systemd gives up until an apply\n"
      "# that changes something (or systemctl --user reset-failed).\n"
      "StartLimitIntervalSec=120\n"
      "StartLimitBurst=5\n"
      "\n"
      "[Service]\n"
      "Environment={home}\n"
      "EnvironmentFile=-{env_dir}/%i.env\n"
      "# Joins the holder's tmux server (never starts one), creates or adopts the session =%i,\n"
      "# says it is ready, then waits (on tmux's own signal) until the agent's program ends,\n"
      "# and exits as it did, its last lines in the journal. ExecStop kills exactly =%i.\n"
      "Type=notify\n"
      "NotifyAccess=main\n"
      "ExecStart={bin} session run %i\n"
      "ExecStop={bin} session stop %i\n"
      "Restart=on-failure\n"
      "RestartSec=5s\n"
      "# The agent's program joins this unit's cgroup (the tmux server stays in the holder's),\n"
      "# so stopping the unit stops all of it, even what ignores SIGHUP: SIGTERM, then SIGKILL.\n"
      "Delegate=yes\n"
      "TimeoutStopSec=10s\n"
      "\n"
      "[Install]\n"
      "WantedBy=default.target\n",
      fmt::arg("header", kUnitFileHeader), fmt::arg("holder_unit", kHolderUnit),
      fmt::arg("bin", bin), fmt::arg("home", SystemdWord("MOSAIC_HOME=" + in.mosaic_home)),
      // EnvironmentFile= takes a bare path (no quoting): only specifiers need escaping.
      fmt::arg("env_dir", EscapeSpecifiers(in.agents_dir)));
}

}  // namespace mosaic
