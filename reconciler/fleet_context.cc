#include "fleet_context.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

#include "observer.h"
#include "roster_loader.h"
#include "unit_binary.h"
#include "unit_files.h"
#include "utf8.h"

namespace mosaic {

Result<std::chrono::milliseconds> CallTimeout(double flag_seconds, const Environment& env) {
  double seconds = flag_seconds;
  if (seconds <= 0 && !env.fleet_timeout.empty()) {
    const std::string& text = env.fleet_timeout;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || !(seconds > 0) ||
        seconds > 86400)
      return Status::Error(
          fmt::format("MOSAIC_FLEET_TIMEOUT={} is not a number of seconds (between 0 and 86400)",
                      env.fleet_timeout));
  }
  if (seconds <= 0) return std::chrono::milliseconds(kDefaultTmuxTimeout);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

namespace {

// The host the reconcile timer acts as (its unit's --host), unless someone edited the unit: a
// machine applied with --host alpha stays alpha for a later run without --host, so that a
// `restart x` never turns the timer into another host that would remove alpha's agents.
std::optional<std::string> RememberedHost(const std::string& unit_dir, FileSystem& files) {
  Result<std::string> unit = files.ReadFile(unit_dir + "/" + kReconcileService, size_t{64} * 1024);
  if (!unit.ok() || UnitFileEditedByHand(unit.value())) return std::nullopt;
  std::vector<std::string> words = ExecStartWords(unit.value());
  auto flag = std::find(words.begin(), words.end(), "--host");
  if (flag == words.end() || std::next(flag) == words.end()) return std::nullopt;
  return *std::next(flag);
}

}  // namespace

std::optional<FleetContext> FleetContext::Load(System& system, const FleetOptions& options,
                                               Io& io) {
  FleetContext context(system);
  context.forwarded_ = options.forwarded;
  const Environment& env = system.environment();
  Result<FleetPaths> resolved = ResolveFleetPaths(env);
  Result<std::chrono::milliseconds> timeout = CallTimeout(options.timeout_seconds, env);
  if (!resolved.ok() || !timeout.ok()) {
    io.err << "error: " << (resolved.ok() ? timeout.status() : resolved.status()).message() << "\n";
    return std::nullopt;
  }
  context.timeouts_ = {
      timeout.value(),
      std::chrono::milliseconds(static_cast<int64_t>(options.job_timeout_seconds * 1000))};
  const FleetPaths& paths = resolved.value();
  context.roster_path_ = options.roster.empty() ? paths.roster : options.roster;
  // Absolute, as the reconcile service is given it (it runs in another directory).
  if (!context.roster_path_.starts_with("/") && !env.working_directory.empty())
    context.roster_path_ = env.working_directory + "/" + context.roster_path_;
  Result<std::string> text = system.files().ReadFile(context.roster_path_, YamlLimits{}.max_bytes);
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
  std::string host = options.host.empty()
                         ? RememberedHost(paths.unit_dir, system.files()).value_or(env.hostname)
                         : options.host;
  if (load.roster->reconcile &&
      std::any_of(context.roster_path_.begin(), context.roster_path_.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    io.err << "error: the roster's path holds a control character, and its `reconcile:` timer "
              "would have to name it in a unit file; move the roster\n";
    return std::nullopt;
  }
  Result<UnitBinary> binary = options.writes_units
                                  ? ChooseUnitBinary(options.binary, paths.unit_dir, system, io.err)
                                  : UnitBinary{system.SelfExecutable()};
  if (!binary.ok()) {
    io.err << "error: " << binary.status().message() << "\n";
    return std::nullopt;
  }
  context.desired_ = MakeDesiredState(*load.roster, paths,
                                      {host, binary.value().path, context.roster_path_,
                                       binary.value().in_build_tree, binary.value().kept_over});
  return context;
}

SystemdManager* FleetContext::Connection() {
  if (!connection_) connection_ = system_->ConnectUserManager(timeouts_);
  return connection_->ok() ? connection_->value().get() : nullptr;
}

Result<SystemdManager*> FleetContext::systemd() {
  SystemdManager* manager = Connection();
  if (!manager) return connection_->status();
  if (!unit_path_checked_) {
    // Unit files written where this manager does not look (another XDG_CONFIG_HOME) would
    // never be loaded.
    Result<std::vector<std::string>> unit_path = manager->UnitPath();
    const std::string& unit_dir = desired_.paths.unit_dir;
    if (!unit_path.ok())
      unit_path_checked_ = unit_path.status();
    else if (std::find(unit_path.value().begin(), unit_path.value().end(), unit_dir) ==
             unit_path.value().end())
      unit_path_checked_ = Status::Error(
          fmt::format("the user manager does not load units from {} (its unit path: {}); run "
                      "mosaic-fleet with the XDG_CONFIG_HOME the manager has",
                      unit_dir, fmt::join(unit_path.value(), ":")));
    else
      unit_path_checked_ = Status::Ok();
  }
  if (!unit_path_checked_->ok()) return *unit_path_checked_;
  return manager;
}

Result<const Tmux*> FleetContext::tmux() {
  if (!tmux_) {
    // The fleet's server is where the units' tmux puts it: under the manager's TMUX_TMPDIR,
    // whatever this process's says. That path is used explicitly from here on.
    const Environment& env = system_->environment();
    tmux_tmpdir_ = env.tmux_tmpdir;
    if (SystemdManager* manager = Connection()) {
      Result<std::vector<std::string>> manager_env = manager->Environment();
      if (!manager_env.ok()) return manager_env.status();
      tmux_tmpdir_.clear();
      for (const std::string& entry : manager_env.value()) {
        if (entry.starts_with("TMUX_TMPDIR=")) tmux_tmpdir_ = entry.substr(12);
        if (entry.starts_with("PATH=")) manager_path_ = entry.substr(5);
      }
    }
    std::string directory = TmuxSocketDirectory(tmux_tmpdir_, env.uid);
    if (!connection_->ok())
      note_ = fmt::format(
          "note: the user manager did not answer ({}); the fleet's tmux server is looked for "
          "at {}/{}, under this shell's TMUX_TMPDIR, which may not be the units'.",
          connection_->status().message(), directory, desired_.socket);
    else if (directory != TmuxSocketDirectory(env.tmux_tmpdir, env.uid))
      note_ = fmt::format(
          "note: this shell's TMUX_TMPDIR ({}) is not the user manager's ({}); mosaic-fleet "
          "uses the manager's, as the units do. The fleet's tmux server is at {}/{} (`tmux -S` "
          "that path reaches it; `tmux -L {}` from this shell does not).",
          env.tmux_tmpdir.empty() ? "unset" : env.tmux_tmpdir,
          tmux_tmpdir_.empty() ? "unset" : tmux_tmpdir_, directory, desired_.socket,
          desired_.socket);
    tmux_ = mosaic::Tmux::ForSocket(desired_.socket, system_->processes(),
                                    {directory + "/" + desired_.socket, timeouts_.call});
  }
  if (!tmux_->ok()) return tmux_->status();
  return &tmux_->value();
}

Result<ObservedState> FleetContext::Observe() {
  Result<SystemdManager*> manager = systemd();
  if (!manager.ok()) return manager.status();
  Result<const mosaic::Tmux*> socket = tmux();
  if (!socket.ok()) return socket.status();
  Result<ObservedState> observed = mosaic::Observe(desired_, *socket.value(), *manager.value(),
                                                   system_->files(), system_->Now(), manager_path_);
  if (observed.ok()) observed.value().tmux_tmpdir = tmux_tmpdir_;
  return observed;
}

std::optional<FleetContext> OpenFleet(System& system, const FleetOptions& options, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options, io);
  if (!context) return std::nullopt;
  Status connected = context->systemd().status();
  if (connected.ok()) connected = context->tmux().status();
  if (!connected.ok()) {
    io.err << "error: " << PrintableLines(connected.message()) << "\n";
    return std::nullopt;
  }
  if (!context->note().empty()) io.err << context->note() << "\n";
  return context;
}

Result<const DesiredAgent*> FleetContext::Agent(const std::string& name) const {
  for (const DesiredAgent& agent : desired_.agents)
    if (agent.spec.name == name) return &agent;
  for (const AgentSpec& other : desired_.elsewhere)
    if (other.name == name)
      return Status::Error(fmt::format(
          "{} is managed on {}, not here (an `ssh:` target on its roster entry lets the agent "
          "verbs reach it there)",
          name, other.host));
  return Status::Error(
      fmt::format("'{}': no agent of that name in {}", PrintableText(name), roster_path_));
}

}  // namespace mosaic
