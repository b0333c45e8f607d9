#include "agent_control_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "apply_command.h"
#include "exit_codes.h"
#include "seconds_option.h"
#include "unit_files.h"
#include "utf8.h"

namespace mosaic {
namespace {

// The names, each an agent the roster places on this host: whatever else is an error that
// changes nothing.
Status CheckNames(const FleetContext& context, const std::vector<std::string>& names) {
  for (const std::string& name : names)
    if (Result<const DesiredAgent*> agent = context.Agent(name); !agent.ok()) return agent.status();
  return Status::Ok();
}

// Apply, limited to `names`: what stop and start do after changing the mark.
int ApplyTo(const AgentControlOptions& options, System& system, Io& io, bool replace) {
  ApplyCommandOptions apply;
  apply.fleet = options.fleet;
  apply.yes = true;
  apply.targets = options.names;
  // The operator named these agents: a persona hold does not stop their stop.
  if (replace) apply.replace = options.names;
  apply.lock_timeout = options.lock_timeout;
  apply.settle_seconds = options.settle_seconds;
  return RunApply(apply, system, io);
}

// Stop, start or restart exactly `options.names`.
int Control(AgentControl action, const AgentControlOptions& options, FleetContext& context,
            System& system, Io& io) {
  if (Status known = CheckNames(context, options.names); !known.ok()) {
    io.err << "error: " << known.message() << "\n";
    return kExitError;
  }
  const FleetPaths& paths = context.desired().paths;
  switch (action) {
    case AgentControl::kStop: {
      // The mark first: should the apply fail or be interrupted, the next one (the timer's
      // included) still stops the agent, and never starts it again.
      if (Status dir = system.files().MakeDirectories(paths.run_dir, 0700); !dir.ok())
        return io.err << "error: " << dir.message() << "\n", kExitError;
      for (const std::string& name : options.names) {
        Status marked = system.files().WriteFileAtomic(
            paths.OperatorStop(name),
            fmt::format("Kept stopped by `mosaic-fleet stop`; `mosaic-fleet start {}` starts it "
                        "again.\n",
                        name),
            0600);
        if (!marked.ok()) return io.err << "error: " << marked.message() << "\n", kExitError;
      }
      return ApplyTo(options, system, io, true);
    }
    case AgentControl::kStart: {
      for (const std::string& name : options.names) {
        if (Status removed = system.files().RemoveFile(paths.OperatorStop(name)); !removed.ok())
          return io.err << "error: " << removed.message() << "\n", kExitError;
      }
      return ApplyTo(options, system, io, false);
    }
    case AgentControl::kRestart: {
      Result<ObservedState> observed = context.Observe();
      if (!observed.ok())
        return io.err << "error: " << PrintableLines(observed.status().message()) << "\n",
               kExitError;
      std::vector<std::string> units;
      for (const std::string& name : options.names) {
        const auto& held = observed.value().operator_stopped;
        bool stopped = std::find(held.begin(), held.end(), name) != held.end();
        for (const DesiredAgent& a : context.desired().agents)
          if (a.spec.name == name && a.spec.stopped) stopped = true;
        if (stopped)
          return io.err << fmt::format(
                     "error: {} is kept stopped; `mosaic-fleet start {}` "
                     "starts it\n",
                     name, name),
                 kExitError;
        units.push_back(AgentUnitName(name));
      }
      Result<SystemdManager*> systemd = context.systemd();
      if (!systemd.ok()) return io.err << "error: " << systemd.status().message() << "\n", 1;
      Status restarted = systemd.value()->RunJobs(
          JobKind::kRestart, units, [&](const std::string& unit, const std::string& result) {
            io.err << fmt::format("  {} restart {}: {}\n", result == "done" ? "ok" : "!!", unit,
                                  result);
          });
      if (!restarted.ok()) return io.err << "error: " << restarted.message() << "\n", kExitError;
      return kExitSuccess;
    }
  }
  return kExitError;
}

}  // namespace

int RunAgentControl(AgentControl action, const AgentControlOptions& options, System& system,
                    Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  if (options.all == !options.names.empty()) {
    io.err << "error: name the agents, or say --all for every agent of this host\n";
    return kExitError;
  }
  AgentControlOptions chosen = options;
  if (options.all) {
    for (const DesiredAgent& agent : context->desired().agents) {
      // `restart --all` restarts what runs: agents kept stopped stay so (named, they are refused).
      bool held = agent.spec.stopped ||
                  system.files().Stat(context->desired().paths.OperatorStop(agent.spec.name));
      if (action == AgentControl::kRestart && held) {
        io.err << fmt::format("  {} is kept stopped: not restarted\n", agent.spec.name);
        continue;
      }
      chosen.names.push_back(agent.spec.name);
    }
    if (chosen.names.empty()) {
      io.err << "nothing to do: no agent of this host to "
             << (action == AgentControl::kRestart ? "restart" : "act on") << "\n";
      return kExitSuccess;
    }
  }
  return Control(action, chosen, *context, system, io);
}

std::vector<Command> AddAgentControlCommands(CLI::App& app, CommandContext& ctx) {
  struct Verb {
    AgentControl action;
    const char* name;
    const char* summary;
    const char* footer;
  };
  const std::vector<Verb> verbs = {
      {AgentControl::kStop, "stop",
       "Keep agents stopped (not editing the roster) until `start`; drift correction respects it.",
       "\nLeaves fleet/run/NAME.stopped, then applies those agents: each unit stops and exactly\n"
       "its session ends (a persistent persona included: you named it). plan and status show\n"
       "it STOPPED; apply and the reconcile timer never start it.\n"
       "\nExit status: 0 stopped; 1 not (unknown agent, failed stop, another apply holds\n"
       "the lock past --lock-timeout).\n"
       "\nExamples:\n  mosaic-fleet stop coder0\n  mosaic-fleet stop --all          every agent of "
       "this host\n"},
      {AgentControl::kStart, "start",
       "Start agents an operator stopped (or any that are down), as the roster says.",
       "\nRemoves fleet/run/NAME.stopped, then applies those agents (an apply with --target).\n"
       "An agent with `state: stopped` in the roster stays stopped: change the roster.\n"
       "\nExit status: 0 started; 1 not (unknown agent, failed start, or it died within\n"
       "--settle); 2 a change was held (see the plan it prints).\n"
       "\nExamples:\n  mosaic-fleet start coder0\n  mosaic-fleet start --all\n"},
      {AgentControl::kRestart, "restart",
       "Restart agents: exactly their sessions are recreated; server and siblings untouched.",
       "\nRestarts mosaic-agent@NAME.service: its session is ended and made again, with the\n"
       "agent's program started anew (its context is lost). A stopped agent is refused.\n"
       "\nExit status: 0 restarted; 1 not (unknown or stopped agent, failed restart).\n"
       "\nExamples:\n  mosaic-fleet restart coder0 reviewer\n  mosaic-fleet restart --all\n"},
  };
  std::vector<Command> commands;
  for (const Verb& verb : verbs) {
    auto options = std::make_shared<AgentControlOptions>();
    CLI::App* cmd = app.add_subcommand(verb.name, verb.summary);
    AddFleetOptions(*cmd, options->fleet, ctx);
    AddBinaryOption(*cmd, options->fleet);
    cmd->add_option("NAME", options->names, "The agents (exact names)");
    cmd->add_flag("--all", options->all, "Every agent the roster places on this host");
    cmd->add_option("--lock-timeout", options->lock_timeout, "Seconds to wait for a running apply")
        ->check(SecondsBetween(0, 86400))
        ->capture_default_str();
    if (verb.action != AgentControl::kRestart)
      cmd->add_option("--settle", options->settle_seconds,
                      "Seconds to wait after starting agents before checking they still run")
          ->check(SecondsBetween(0, 600))
          ->capture_default_str();
    cmd->footer(verb.footer);
    AgentControl action = verb.action;
    commands.push_back({cmd, [action, options, &ctx] {
                          return RunAgentControl(action, *options, ctx.system, ctx.io);
                        }});
  }
  return commands;
}

}  // namespace mosaic
