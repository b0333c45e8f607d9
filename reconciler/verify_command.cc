#include "verify_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "apply_lock.h"
#include "exit_codes.h"
#include "fleet_verification.h"
#include "json_text.h"
#include "seconds_option.h"
#include "utf8.h"

namespace mosaic {

int RunVerify(const VerifyOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  Result<SystemdManager*> systemd = context->systemd();
  Result<const Tmux*> tmux = context->tmux();
  Result<std::chrono::milliseconds> timeout =
      CallTimeout(options.fleet.timeout_seconds, system.environment());
  if (!systemd.ok() || !tmux.ok() || !timeout.ok()) {
    io.err << "error: "
           << (!systemd.ok() ? systemd.status()
               : !tmux.ok()  ? tmux.status()
                             : timeout.status())
                  .message()
           << "\n";
    return kExitError;
  }
  // The canary is an agent the roster does not name: an apply meanwhile (the reconcile timer)
  // would stop it, and another verify remove it. Neither runs while verify holds the lock.
  const Environment& env = system.environment();
  Result<std::unique_ptr<ApplyLockHandle>> lock =
      system.LockApply(DefaultLockPath(env.xdg_runtime_dir, env.uid), options.lock_timeout,
                       "mosaic-fleet verify " + context->roster_path());
  if (!lock.ok()) {
    io.err << "error: " << lock.status().message() << "\n";
    return kExitError;
  }
  Result<ObservedState> observed = context->Observe();
  if (!observed.ok()) {
    io.err << "error: " << PrintableLines(observed.status().message()) << "\n";
    return kExitError;
  }
  VerificationContext verification{context->desired(), observed.value(), *tmux.value(),
                                   *systemd.value(), timeout.value()};
  const char* pass = io.out_color ? "\033[32mPASS\033[0m" : "PASS";
  const char* fail = io.out_color ? "\033[31mFAIL\033[0m" : "FAIL";
  std::vector<VerificationCheck> checks = VerifyFleet(
      system, verification,
      [&](const std::string& id) {
        if (!options.json) io.err << fmt::format("checking {}…\n", id);
      },
      [&](const VerificationCheck& c) {
        if (!options.json)
          io.out << fmt::format("{} {:<22} {}\n     {}\n", c.passed ? pass : fail, c.id, c.title,
                                c.detail)
                 << std::flush;
      });
  bool all = std::all_of(checks.begin(), checks.end(),
                         [](const VerificationCheck& c) { return c.passed; });
  int code = all ? kExitSuccess : kExitError;
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const VerificationCheck& c : checks)
      list.push_back(
          {{"id", c.id}, {"title", c.title}, {"passed", c.passed}, {"detail", c.detail}});
    io.out << JsonText(
                  {{"format_version", 1}, {"passed", all}, {"exit_code", code}, {"checks", list}},
                  2)
           << "\n";
  } else {
    long failed = std::count_if(checks.begin(), checks.end(),
                                [](const VerificationCheck& c) { return !c.passed; });
    io.out << (all ? fmt::format("\nAll {} checks passed.\n", checks.size())
                   : fmt::format("\n{} of {} checks failed.\n", failed, checks.size()));
  }
  return code;
}

Command AddVerifyCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Prove the fleet's safety properties on this machine, one line per check.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddBinaryOption(*cmd, options->fleet);  // it compares the unit files with what plan writes
  cmd->add_option("--lock-timeout", options->lock_timeout,
                  "Seconds to wait for a running apply to finish (verify holds apply's lock)")
      ->check(SecondsBetween(0, 86400))
      ->capture_default_str();
  cmd->add_flag("--json", options->json,
                "Machine-readable result: {format_version, passed, exit_code, checks: [{id, "
                "title, passed, detail}]}");
  cmd->footer(fmt::format(
      "\nChecks, in order:\n"
      "  holder-owns-server     the fleet's tmux server runs in {0}'s cgroup\n"
      "                         (a server started elsewhere dies with whatever started it)\n"
      "  exact-targets          on a throwaway socket, stopping session x leaves x0\n"
      "  restart-isolation      a throwaway canary agent ({1}) is started in the fleet's\n"
      "                         server and restarted: the server and every other session\n"
      "                         must be unchanged. The canary is removed afterwards, also on\n"
      "                         failure; Ctrl-C waits for that (a few seconds at most)\n"
      "  default-socket-unused  the server, unit files and env files name the fleet's socket\n"
      "  unit-files             `systemd-analyze --user verify` accepts the unit files\n"
      "\n"
      "verify changes nothing of the fleet. It needs a converged fleet: run `apply` first.\n"
      "Exit status: 0 when every check passed, 1 otherwise (or on error).\n"
      "\n"
      "Examples:\n"
      "  mosaic-fleet verify\n"
      "  mosaic-fleet verify --json | jq -r '.checks[] | select(.passed | not) | .id'\n",
      "mosaic-tmux-holder.service", kVerifyCanary));
  return {cmd, [options, &ctx] { return RunVerify(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
