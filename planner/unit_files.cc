#include "unit_files.h"

#include <fmt/format.h>

#include <algorithm>

#include "fingerprint.h"

namespace mosaic {

namespace {

constexpr std::string_view kDropInFile = "mosaic-restart.conf";
constexpr std::string_view kFingerprintPrefix = "# fingerprint: ";

// The header, the fingerprint of `body`, then `body`: how every file the tool writes begins.
std::string Sealed(const std::string& body) {
  return fmt::format("{}{}{}\n{}", kUnitFileHeader, kFingerprintPrefix, Fingerprint(body), body);
}

}  // namespace

std::string AgentDropInName(std::string_view agent) {
  return fmt::format("{}.d/{}", AgentUnitName(agent), kDropInFile);
}

std::string AgentOfDropIn(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos || name.substr(slash + 1) != kDropInFile) return "";
  std::string_view directory = name.substr(0, slash);
  if (!directory.ends_with(".d")) return "";
  return AgentOfUnit(directory.substr(0, directory.size() - 2));
}

bool IsToolUnitFileName(std::string_view name) {
  for (std::string_view known :
       {kHolderUnit, kAgentTemplateUnit, kReconcileService, kReconcileTimer})
    if (name == known) return true;
  return !AgentOfDropIn(name).empty();
}

bool UnitFileEditedByHand(std::string_view content) {
  std::string_view header = kUnitFileHeader;
  if (!content.starts_with(header)) return false;
  std::string_view rest = content.substr(header.size());
  if (!rest.starts_with(kFingerprintPrefix)) return false;  // an earlier version's file
  size_t end = rest.find('\n');
  if (end == std::string_view::npos) return true;
  std::string_view recorded =
      rest.substr(kFingerprintPrefix.size(), end - kFingerprintPrefix.size());
  return recorded != Fingerprint(rest.substr(end + 1));
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

std::vector<std::string> ExecStartWords(std::string_view unit_text) {
  constexpr std::string_view kKey = "ExecStart=";
  size_t line = 0;
  while (line < unit_text.size() && unit_text.substr(line, kKey.size()) != kKey) {
    size_t next = unit_text.find('\n', line);
    if (next == std::string_view::npos) return {};
    line = next + 1;
  }
  if (line >= unit_text.size()) return {};
  std::string_view rest = unit_text.substr(line + kKey.size());
  rest = rest.substr(0, rest.find('\n'));
  std::vector<std::string> words;
  for (size_t i = 0; i < rest.size();) {
    if (rest[i] == ' ' || rest[i] == '\t') {
      ++i;
      continue;
    }
    bool quoted = rest[i] == '"';
    std::string word;
    for (i += quoted ? 1 : 0; i < rest.size(); ++i) {
      char c = rest[i];
      if ((!quoted && (c == ' ' || c == '\t')) || (quoted && c == '"')) break;
      if (quoted && c == '\\' && i + 1 < rest.size())
        c = rest[++i];
      else if (c == '%' && i + 1 < rest.size() && rest[i + 1] == '%')
        ++i;
      word += c;
    }
    if (quoted) ++i;  // the closing quote
    words.push_back(std::move(word));
  }
  return words;
}

std::optional<std::string> ExecStartProgram(std::string_view unit_text) {
  std::vector<std::string> words = ExecStartWords(unit_text);
  if (words.empty()) return std::nullopt;
  return words.front();
}

std::optional<std::string> HolderSocketOf(std::string_view holder_unit_text) {
  std::vector<std::string> words = ExecStartWords(holder_unit_text);
  auto flag = std::find(words.begin(), words.end(), "--socket");
  if (flag == words.end() || flag + 1 == words.end()) return std::nullopt;
  return *(flag + 1);
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
  return Sealed(fmt::format(
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
      fmt::arg("bin", bin), fmt::arg("socket", SystemdWord(in.socket)),
      fmt::arg("holder", SystemdWord(in.holder_session))));
}

std::string RenderAgentTemplateUnit(const UnitFileInputs& in) {
  std::string bin = SystemdWord(in.binary);
  return Sealed(fmt::format(
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
      "# says it is ready, then waits (on the program itself, no polling) until it ends,\n"
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
      fmt::arg("holder_unit", kHolderUnit), fmt::arg("bin", bin),
      fmt::arg("home", SystemdWord("MOSAIC_HOME=" + in.mosaic_home)),
      // EnvironmentFile= takes a bare path (no quoting): only specifiers need escaping.
      fmt::arg("env_dir", EscapeSpecifiers(in.agents_dir))));
}

std::string RenderAgentRestartDropIn(std::string_view restart) {
  return Sealed(
      fmt::format("# The roster's `restart: {0}` for this agent (the template's is on-failure).\n"
                  "[Service]\n"
                  "Restart={1}\n",
                  restart, restart == "never" ? "no" : restart));
}

std::string RenderReconcileService(const UnitFileInputs& in, const std::string& roster) {
  return Sealed(fmt::format(
      "[Unit]\n"
      "Description=mosaic-fleet drift correction\n"
      "Documentation=man:systemd.timer(5)\n"
      "After={holder_unit}\n"
      "\n"
      "[Service]\n"
      "# Does what is safe without a human (docs/operations.md); a change that would replace\n"
      "# or destroy a live session stays pending, logged, and the run exits 2.\n"
      "Type=oneshot\n"
      "Environment={config} {home}\n"
      "# A run waits (up to 10 minutes) for an operator's apply to release the lock.\n"
      "# --binary: the timer keeps the units on this path (a link is not resolved).\n"
      "ExecStart={bin} apply --yes --unattended --binary {bin}{host} --lock-timeout 600 "
      "--roster {roster}\n"
      "TimeoutStartSec=15min\n",
      fmt::arg("holder_unit", kHolderUnit), fmt::arg("bin", SystemdWord(in.binary)),
      fmt::arg("host", in.this_host.empty() ? "" : " --host " + SystemdWord(in.this_host)),
      fmt::arg("config", SystemdWord("XDG_CONFIG_HOME=" + in.config_home)),
      fmt::arg("home", SystemdWord("MOSAIC_HOME=" + in.mosaic_home)),
      fmt::arg("roster", SystemdWord(roster))));
}

std::string RenderReconcileTimer(std::string_view interval) {
  return Sealed(fmt::format(
      "[Unit]\n"
      "Description=mosaic-fleet drift correction, every {0}\n"
      "\n"
      "[Timer]\n"
      "# {0} after the timer starts, then {0} after each run ends (runs never overlap).\n"
      "OnActiveSec={0}\n"
      "OnUnitInactiveSec={0}\n"
      "AccuracySec=1s\n"
      "Unit={1}\n"
      "\n"
      "[Install]\n"
      "WantedBy=timers.target\n",
      interval, kReconcileService));
}

}  // namespace mosaic
