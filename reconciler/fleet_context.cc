#include "fleet_context.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <ctime>

#include "observer.h"
#include "roster_loader.h"

namespace mosaic {

std::string SelfExecutable() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "mosaic-fleet";
}

std::optional<FleetContext> FleetContext::Load(const FleetOptions& options, const Environment& env,
                                               Io& io) {
  FleetContext context;
  Result<FleetPaths> resolved = ResolveFleetPaths(env);
  if (!resolved.ok()) {
    io.err << "error: " << resolved.status().message() << "\n";
    return std::nullopt;
  }
  const FleetPaths& paths = resolved.value();
  context.roster_path_ = options.roster.empty() ? paths.roster : options.roster;
  Result<std::string> text = context.fs_->ReadFile(context.roster_path_, YamlLimits{}.max_bytes);
  if (!text.ok()) {
    io.err << "error: " << text.status().message() << "\n";
    if (options.roster.empty())
      io.err << "hint: create one with `mosaic-fleet init --profile minimal --write`, or pass "
                "--roster FILE\n";
    return std::nullopt;
  }
  context.roster_text_ = text.value();
  RosterLoad load = ParseRoster(context.roster_text_, context.roster_path_);
  for (const Diagnostic& d : load.diagnostics)
    io.err << FormatDiagnosticText(d, context.roster_text_, io.err_color);
  if (!load.roster) {
    io.err << "nothing was changed: fix the roster first (`mosaic-fleet validate` checks it)\n";
    return std::nullopt;
  }
  std::string host = options.host.empty() ? env.hostname : options.host;
  context.desired_ = MakeDesiredState(*load.roster, paths, {host, SelfExecutable()});
  return context;
}

Result<std::chrono::milliseconds> CallTimeout(double flag_seconds, const Environment& env) {
  double seconds = flag_seconds;
  if (seconds <= 0 && !env.fleet_timeout.empty()) {
    char* end = nullptr;
    seconds = std::strtod(env.fleet_timeout.c_str(), &end);
    if (end == env.fleet_timeout.c_str() || *end != '\0' || !(seconds > 0) || seconds > 86400)
      return Status::Error(
          fmt::format("MOSAIC_FLEET_TIMEOUT={} is not a number of seconds (between 0 and 86400)",
                      env.fleet_timeout));
  }
  if (seconds <= 0) return std::chrono::milliseconds(kDefaultTmuxTimeout);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

Status FleetContext::Connect(const Environment& env, BusTimeouts timeouts) {
  Result<std::unique_ptr<SystemdManager>> manager =
      ConnectUserManager(env.xdg_runtime_dir, timeouts);
  if (!manager.ok()) return manager.status();
  systemd_ = std::move(manager).value();
  // Unit files written where this manager does not look (another XDG_CONFIG_HOME) would never
  // be loaded.
  Result<std::vector<std::string>> unit_path = systemd_->UnitPath();
  if (!unit_path.ok()) return unit_path.status();
  const std::string& unit_dir = desired_.paths.unit_dir;
  if (std::find(unit_path.value().begin(), unit_path.value().end(), unit_dir) ==
      unit_path.value().end())
    return Status::Error(fmt::format(
        "the user manager does not load units from {} (its unit path: {}); run mosaic-fleet "
        "with the XDG_CONFIG_HOME the manager has",
        unit_dir, fmt::join(unit_path.value(), ":")));
  // The fleet's server is where the units' tmux puts it: under the manager's TMUX_TMPDIR,
  // whatever this shell's says. That path is used explicitly from here on.
  Result<std::vector<std::string>> manager_env = systemd_->Environment();
  if (!manager_env.ok()) return manager_env.status();
  for (const std::string& entry : manager_env.value())
    if (entry.starts_with("TMUX_TMPDIR=")) tmux_tmpdir_ = entry.substr(12);
  std::string directory = TmuxSocketDirectory(tmux_tmpdir_, env.uid);
  if (directory != TmuxSocketDirectory(env.tmux_tmpdir, env.uid))
    note_ = fmt::format(
        "note: this shell's TMUX_TMPDIR ({}) is not the user manager's ({}); mosaic-fleet uses "
        "the manager's, as the units do. The fleet's tmux server is at {}/{} (`tmux -S` that "
        "path reaches it; `tmux -L {}` from this shell does not).",
        env.tmux_tmpdir.empty() ? "unset" : env.tmux_tmpdir,
        tmux_tmpdir_.empty() ? "unset" : tmux_tmpdir_, directory, desired_.socket, desired_.socket);
  Result<Tmux> tmux = Tmux::ForSocket(desired_.socket, *runner_,
                                      {directory + "/" + desired_.socket, timeouts.call});
  if (!tmux.ok()) return tmux.status();
  tmux_.emplace(std::move(tmux).value());
  return Status::Ok();
}

std::optional<FleetContext> OpenFleet(const FleetOptions& options, const Environment& env, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(options, env, io);
  if (!context) return std::nullopt;
  Result<std::chrono::milliseconds> timeout = CallTimeout(options.timeout_seconds, env);
  Status s =
      timeout.ok()
          ? context->Connect(env, {timeout.value(), std::chrono::milliseconds(static_cast<int64_t>(
                                                        options.job_timeout_seconds * 1000))})
          : timeout.status();
  if (!s.ok()) {
    io.err << "error: " << s.message() << "\n";
    return std::nullopt;
  }
  if (!context->note_.empty()) io.err << context->note_ << "\n";
  return context;
}

Result<ObservedState> FleetContext::Observe() {
  Result<ObservedState> observed =
      mosaic::Observe(desired_, *tmux_, *systemd_, *fs_, static_cast<int64_t>(std::time(nullptr)));
  if (observed.ok()) observed.value().tmux_tmpdir = tmux_tmpdir_;
  return observed;
}

}  // namespace mosaic
