// `agent send` and `agent reset`: the two verbs that put text into an agent's pane.
#include <fmt/format.h>

#include <chrono>
#include <sstream>

#include "agent_access.h"
#include "agent_command.h"
#include "agent_text.h"
#include "exit_codes.h"
#include "remote_agent.h"
#include "unit_files.h"

namespace mosaic {
namespace {

using std::chrono::milliseconds;

milliseconds Milliseconds(double seconds) {
  return milliseconds(static_cast<int64_t>(seconds * 1000));
}

int Fail(Io& io, const Status& status) {
  io.err << "error: " << status.message() << "\n";
  return kExitError;
}

// The message's text, from -m, stdin (-m -) or --file.
Result<std::string> ReadMessage(const AgentSendOptions& options, System& system, Io& io) {
  if (!options.file.empty()) {
    Result<std::string> text = system.files().ReadFile(options.file, kMaxMessageBytes + 1);
    if (!text.ok()) return text.status().Prefixed("--file: ");
    return text;
  }
  if (options.message != "-") return options.message;
  if (io.in == nullptr) return Status::Error("-m -: there is no standard input to read");
  std::string text(kMaxMessageBytes + 2, '\0');
  io.in->read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(io.in->gcount()));
  return text;
}

// The kickstart template's path: `~/` is the home directory, a relative path is read beside
// the roster (where it was written down).
std::string KickstartPath(const std::string& written, FleetContext& context) {
  std::string path = ExpandHome(written, context.system().environment().home);
  if (path.starts_with("/")) return path;
  const std::string& roster = context.roster_path();
  std::string dir = roster.substr(0, roster.rfind('/') + 1);
  return dir + path;
}

}  // namespace

int RunAgentSend(const AgentSendOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  Result<std::string> text = ReadMessage(options, system, io);
  if (!text.ok()) return Fail(io, text.status());
  std::string label = options.from.empty()
                          ? fmt::format("operator@{}", system.environment().hostname)
                          : options.from;
  if (const AgentSpec* remote = RemoteAgent(*context, options.name)) {
    RemoteCall call{{"send", options.name, "-m", "-", "--from", label}, text.value()};
    if (options.no_submit) call.args.emplace_back("--no-submit");
    if (options.verify) {
      call.args.insert(call.args.end(),
                       {"--verify", "--verify-timeout", fmt::format("{}", options.verify_seconds)});
      call.bound = std::max(
          call.bound, std::chrono::seconds(static_cast<int64_t>(options.verify_seconds) + 120));
    }
    PassFleetOptions(options.fleet, call);
    return RunOnAgentsHost(*remote, call, system, io);
  }
  Result<std::string> message = ComposeMessage(label, text.value());
  if (!message.ok()) return Fail(io, message.status());
  Result<AgentAccess> access = OpenAgent(*context, options.name);
  if (!access.ok()) return Fail(io, access.status());
  const AgentPane& pane = access.value().pane;
  Result<std::unique_ptr<ApplyLockHandle>> lock = LockInput(system, options.name);
  if (!lock.ok()) return Fail(io, lock.status());
  if (Result<PaneState> ready = PaneReadyForInput(pane, context->desired().socket); !ready.ok())
    return Fail(io, ready.status());

  Result<std::vector<std::string>> before =
      Deliver(pane, system, message.value(), !options.no_submit);
  lock.value().reset();  // the next sender may type while this one waits for a receipt
  if (!before.ok()) return Fail(io, before.status());
  io.out << fmt::format("sent to {} ({} bytes, [from {}]{})\n", options.name,
                        message.value().size(), label, options.no_submit ? ", not submitted" : "");
  if (!options.verify) return kExitSuccess;

  // The receipt: whether the screen moved after the Enter (or after the paste, with
  // --no-submit). It proves the pane reacted, not that the agent understood.
  const auto start = system.Monotonic();
  const milliseconds bound = Milliseconds(options.verify_seconds);
  while (true) {
    Result<std::vector<std::string>> now = pane.Screen();
    if (!now.ok()) return Fail(io, now.status());
    auto waited = std::chrono::duration<double>(system.Monotonic() - start).count();
    if (now.value() != before.value()) {
      io.out << fmt::format("receipt: {}'s pane changed {:.1f} s after delivery\n", options.name,
                            waited);
      return kExitSuccess;
    }
    if (system.Monotonic() - start >= bound) break;
    system.Sleep(milliseconds(100));
  }
  io.err << fmt::format(
      "no receipt: {}'s pane did not change within {:g} s after delivery (the agent may be busy "
      "or may not have taken the input; `mosaic-fleet agent tail {}` shows its screen)\n",
      options.name, options.verify_seconds, options.name);
  return kExitUnconfirmed;
}

int RunAgentReset(const AgentResetOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  if (const AgentSpec* remote = RemoteAgent(*context, options.name)) {
    RemoteCall call{{"reset", options.name, "--settle", fmt::format("{}", options.settle_seconds)}};
    if (options.clear) call.args.emplace_back("--clear");
    if (options.new_conversation) call.args.emplace_back("--new");
    if (options.force) call.args.emplace_back("--force");
    PassFleetOptions(options.fleet, call);
    return RunOnAgentsHost(*remote, call, system, io);
  }
  Result<AgentAccess> access = OpenAgent(*context, options.name);
  if (!access.ok()) return Fail(io, access.status());
  const DesiredAgent& agent = *access.value().agent;
  const AgentPane& pane = access.value().pane;
  if (agent.spec.persistent_persona == "true" && !options.force)
    return Fail(io, Status::Error(fmt::format(
                        "{} keeps a persistent persona (persistent_persona: true): a reset loses "
                        "it; add --force to reset it anyway",
                        options.name)));
  // A held agent stays down: a reset that restarts it would undo the hold behind its back.
  if (agent.spec.stopped ||
      system.files().Stat(context->desired().paths.OperatorStop(options.name)))
    return Fail(
        io, Status::Error(fmt::format(
                "{} is kept stopped ({}); `mosaic-fleet start {}` starts it first", options.name,
                agent.spec.stopped ? "state: stopped in the roster" : "mosaic-fleet stop",
                options.name)));
  std::string reset = options.clear              ? "/clear"
                      : options.new_conversation ? "/new"
                                                 : agent.reset_command;

  // Everything is read and checked before anything is typed: a bad template changes nothing.
  std::optional<std::string> kickstart;
  std::string kickstart_file;
  if (!agent.spec.kickstart_template.empty()) {
    kickstart_file = KickstartPath(agent.spec.kickstart_template, *context);
    Result<std::string> raw = system.files().ReadFile(kickstart_file, kMaxMessageBytes + 1);
    if (!raw.ok()) return Fail(io, raw.status().Prefixed("kickstart_template: "));
    Result<std::string> expanded = ExpandKickstart(raw.value(), kickstart_file,
                                                   {{"name", agent.spec.name},
                                                    {"class", agent.spec.agent_class},
                                                    {"model", agent.spec.model_hint},
                                                    {"runtime", agent.spec.runtime}});
    if (!expanded.ok()) return Fail(io, expanded.status());
    Result<std::string> text =
        PasteableText(expanded.value(), fmt::format("kickstart {}", kickstart_file));
    if (!text.ok()) return Fail(io, text.status());
    kickstart = text.value();
  }

  // Held to the end: the kickstart follows the reset with no other sender's text between.
  Result<std::unique_ptr<ApplyLockHandle>> lock = LockInput(system, options.name);
  if (!lock.ok()) return Fail(io, lock.status());
  Result<PaneState> ready = PaneReadyForInput(pane, context->desired().socket);
  if (!reset.empty()) {
    if (!ready.ok()) return Fail(io, ready.status());
    if (Status typed = pane.Type(reset); !typed.ok()) return Fail(io, typed);
    system.Sleep(kSubmitPause);
    if (Status entered = pane.PressEnter(); !entered.ok()) return Fail(io, entered);
    io.out << fmt::format("reset {}: typed {}\n", options.name, reset);
  } else {
    // No reset command for this runtime: a fresh program is the reset. A dead pane is fine
    // here, the restart is its cure; a stranger's session is not.
    if (!ready.ok() && ready.status().message().find("not created by") != std::string::npos)
      return Fail(io, ready.status());
    int64_t old_pid = ready.ok() ? ready.value().session.pane_pid : 0;
    Result<SystemdManager*> systemd = context->systemd();
    if (!systemd.ok()) return Fail(io, systemd.status());
    std::string failed;
    Status restarted = systemd.value()->RunJobs(
        JobKind::kRestart, {agent.unit}, [&](const std::string& unit, const std::string& result) {
          if (result != "done") failed = fmt::format("restart {}: {}", unit, result);
        });
    if (!restarted.ok()) return Fail(io, restarted);
    if (!failed.empty()) return Fail(io, Status::Error(failed));
    // The unit's start made the session; its program is a new process.
    const auto start = system.Monotonic();
    Result<PaneState> fresh = pane.Inspect();
    while (!fresh.ok() || fresh.value().session.pane_pid == old_pid || fresh.value().session.dead) {
      if (system.Monotonic() - start > Milliseconds(options.fleet.job_timeout_seconds))
        return Fail(io, Status::Error(fmt::format(
                            "{} was restarted but its session did not come back within {:g} s "
                            "(`mosaic-fleet status {}`)",
                            options.name, options.fleet.job_timeout_seconds, options.name)));
      system.Sleep(milliseconds(100));
      fresh = pane.Inspect();
    }
    io.out << fmt::format("reset {}: restarted {} (runtime {} has no reset_command)\n",
                          options.name, agent.unit, agent.spec.runtime);
  }
  if (agent.spec.persistent_persona == "semi")
    io.err << fmt::format("note: {} has a semi-persistent persona; it was reset as asked\n",
                          options.name);
  if (!kickstart) return kExitSuccess;

  // The agent redraws after a reset or a start; text typed meanwhile could land before its
  // input box exists.
  Result<bool> quiet =
      WaitUntilQuiet(pane, system, Milliseconds(options.settle_seconds), std::chrono::seconds(30));
  if (!quiet.ok()) return Fail(io, quiet.status());
  if (Result<PaneState> alive = PaneReadyForInput(pane, context->desired().socket); !alive.ok())
    return Fail(io, alive.status());
  Result<std::vector<std::string>> sent = Deliver(pane, system, *kickstart, true);
  if (!sent.ok()) return Fail(io, sent.status());
  io.out << fmt::format("reset {}: sent kickstart {} ({} bytes)\n", options.name, kickstart_file,
                        kickstart->size());
  return kExitSuccess;
}

}  // namespace mosaic
