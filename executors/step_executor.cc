#include "step_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "env_merge.h"
#include "fleet_contract.h"
#include "previous_sockets.h"
#include "unit_cgroup.h"
#include "unit_files.h"

namespace mosaic {

namespace {
constexpr size_t kMaxRecordBytes = size_t{64} * 1024;
}  // namespace

std::string DescribeStep(const Step& step) {
  if (!step.socket.empty())
    return step.names.empty() ? fmt::format("{} -L {}", StepName(step.kind), step.socket)
                              : fmt::format("{} -L {} {}", StepName(step.kind), step.socket,
                                            fmt::join(step.names, " "));
  if (step.kind == StepKind::kRecordSockets)
    return fmt::format("{} {} in {}", StepName(step.kind), fmt::join(step.names, " "), step.path);
  if (!step.path.empty()) return fmt::format("{} {}", StepName(step.kind), step.path);
  if (step.names.empty()) return std::string(StepName(step.kind));
  return fmt::format("{} {}", StepName(step.kind), fmt::join(step.names, " "));
}

bool IsFileWrite(const Step& step) {
  return step.kind == StepKind::kWriteFile || step.kind == StepKind::kMergeEnvFile;
}

ExecutionReport StepExecutor::ExecuteWrites(std::span<const Step> writes,
                                            const Progress& progress) {
  ExecutionReport report;
  for (const Step& step : writes) {
    report.failure = Execute(step, progress);
    if (!report.failure.ok()) break;
    ++report.completed;
  }
  return report;
}

Result<FileWrite> RealStepExecutor::FileOf(const Step& step) {
  FileWrite file{step.path, step.content, static_cast<mode_t>(step.mode), std::nullopt};
  if (step.kind == StepKind::kMergeEnvFile) {
    // Merged with the file as it is now: user lines written since the plan are kept too, and
    // it is replaced only if it still holds what was read (lines written since are not lost).
    Result<std::string> current = fs_.ReadFile(step.path, kMaxEnvFileBytes);
    if (!current.ok() && fs_.Stat(step.path)) return current.status();
    EnvMerge merge = MergeEnvFile(current.ok() ? current.value() : "", step.owned);
    if (!merge.ok())
      return Status::Error("not rewritten, to keep your lines:\n" +
                           DescribeEnvProblems(step.path, merge.problems));
    file.content = std::move(merge.content);
    file.made_from = FileWrite::Basis{current.ok() ? std::optional(current.value()) : std::nullopt};
  }
  if (Status made = fs_.MakeDirectories(step.path.substr(0, step.path.rfind('/')), 0700);
      !made.ok())
    return made;
  return file;
}

ExecutionReport RealStepExecutor::ExecuteWrites(std::span<const Step> writes,
                                                const Progress& progress) {
  std::vector<FileWrite> files;
  Status stopped = Status::Ok();  // of writes[files.size()], which is not written
  for (const Step& step : writes) {
    if (stopped = Allowed(step); !stopped.ok()) break;
    Result<FileWrite> file = FileOf(step);
    if (stopped = file.status(); !stopped.ok()) break;
    files.push_back(std::move(file).value());
  }
  BatchWrite batch = fs_.WriteFilesAtomic(files);
  for (size_t i = 0; i < batch.written; ++i)
    if (progress) progress(DescribeStep(writes[i]) + ": done");
  return {batch.written, batch.failure.ok() ? stopped : batch.failure};
}

Status RealStepExecutor::Execute(const Step& step, const Progress& progress) {
  if (Status allowed = Allowed(step); !allowed.ok()) return allowed;
  static const Progress kSilent = [](const std::string&) {};
  return Act(step, progress ? progress : kSilent);
}

Status RealStepExecutor::Allowed(const Step& step) {
  Status allowed = Status::Ok();
  switch (step.kind) {
    case StepKind::kWriteFile:
      allowed = managed_.CheckUnitFileWrite(step.path, step.content, step.mode);
      break;
    case StepKind::kMergeEnvFile:
      allowed = managed_.CheckEnvMerge(step.path, step.owned, step.mode);
      break;
    case StepKind::kEnableUnits:
    case StepKind::kDisableUnits:
    case StepKind::kStartUnits:
    case StepKind::kRestartUnits:
    case StepKind::kStopUnits:
      allowed = managed_.CheckUnits(step.names);
      break;
    case StepKind::kRemoveFile: {
      Result<std::string> content = fs_.ReadFile(step.path, kMaxUnitFileBytes);
      if (!content.ok()) return fs_.Stat(step.path) ? content.status() : Status::Ok();
      allowed = managed_.CheckRemoval(step.path, content.value());
      break;
    }
    case StepKind::kAdoptSessions:
      allowed = managed_.CheckAgents(step.names);
      break;
    case StepKind::kRecordSockets:
      for (const std::string& socket : step.names)
        if (allowed.ok()) allowed = managed_.CheckPreviousSocket(socket, step.path);
      break;
    case StepKind::kDetachServer:
    case StepKind::kRetireSocket:
      allowed = managed_.CheckPreviousSocket(step.socket, step.path);
      break;
    case StepKind::kKillSessions:  // KillOwnedSession checks ownership inside tmux
      if (!step.socket.empty()) allowed = managed_.CheckPreviousSocket(step.socket, "");
      break;
    case StepKind::kDaemonReload:
      break;
  }
  return allowed;
}

Status RealStepExecutor::Act(const Step& step, const Progress& progress) {
  auto each_job = [&](const std::string& unit, const std::string& result) {
    progress(fmt::format("{} {}: {}", StepName(step.kind), unit, result));
  };
  Status status = Status::Ok();
  switch (step.kind) {
    case StepKind::kWriteFile:
    case StepKind::kMergeEnvFile: {
      Result<FileWrite> file = FileOf(step);
      if (!file.ok()) return file.status();
      status = fs_.WriteFilesAtomic({file.value()}).failure;
      break;
    }
    case StepKind::kRemoveFile:
      status = fs_.RemoveFile(step.path);
      break;
    case StepKind::kDaemonReload:
      status = systemd_.Reload();
      break;
    case StepKind::kEnableUnits:
      status = systemd_.Enable(step.names);
      break;
    case StepKind::kDisableUnits:
      status = systemd_.Disable(step.names);
      break;
    // An apply that starts a unit means it: a failed state or a spent start limit (a crash
    // loop systemd gave up on) is cleared first.
    case StepKind::kStartUnits:
      if (Status reset = systemd_.ResetFailed(step.names); !reset.ok()) return reset;
      return systemd_.RunJobs(JobKind::kStart, step.names, each_job);
    case StepKind::kRestartUnits:
      if (Status reset = systemd_.ResetFailed(step.names); !reset.ok()) return reset;
      return systemd_.RunJobs(JobKind::kRestart, step.names, each_job);
    case StepKind::kStopUnits:
      return systemd_.RunJobs(JobKind::kStop, step.names, each_job);
    case StepKind::kKillSessions: {
      Result<Tmux> tmux = step.socket.empty() ? tmux_ : tmux_.Sibling(step.socket);
      if (!tmux.ok()) return tmux.status();
      for (const std::string& name : step.names) {
        if (Status s = tmux.value().KillOwnedSession(name); !s.ok()) return s;
        progress(step.socket.empty()
                     ? fmt::format("kill-session ={}: done", name)
                     : fmt::format("kill-session -L {} ={}: done", step.socket, name));
      }
      return Status::Ok();
    }
    case StepKind::kAdoptSessions:
      for (const std::string& name : step.names) {
        if (Status s = tmux_.KillAdoptedSession(name); !s.ok()) return s;
        progress(fmt::format("kill-session ={} (adopted): done", name));
      }
      return Status::Ok();
    case StepKind::kRecordSockets:
      status = UpdateRecord(step.path, step.names, "");
      break;
    case StepKind::kDetachServer:
      return DetachServer(step.socket, progress);
    case StepKind::kRetireSocket:
      return RetireSocket(step.socket, step.path, progress);
  }
  if (status.ok()) progress(DescribeStep(step) + ": done");
  return status;
}

Status RealStepExecutor::UpdateRecord(const std::string& path, const std::vector<std::string>& add,
                                      const std::string& remove) {
  Result<std::string> current = fs_.ReadFile(path, kMaxRecordBytes);
  if (!current.ok() && fs_.Stat(path)) return current.status();
  std::vector<std::string> before =
      current.ok() ? ParsePreviousSockets(current.value()) : std::vector<std::string>{};
  std::vector<std::string> sockets = before;
  for (const std::string& socket : add)
    if (std::find(sockets.begin(), sockets.end(), socket) == sockets.end())
      sockets.push_back(socket);
  std::erase(sockets, remove);
  if (sockets == before) return Status::Ok();
  if (sockets.empty()) return fs_.RemoveFile(path);
  if (Status made = fs_.MakeDirectories(path.substr(0, path.rfind('/')), 0700); !made.ok())
    return made;
  return fs_.WriteFileAtomic(path, RenderPreviousSockets(sockets), 0644);
}

// Moves the server of `socket` (a socket the fleet left) out of the holder's cgroup into a
// scope of its own, and with it everything else in that cgroup but the holder's main process:
// its panes' programs, and what they left running (a daemon a session double-forked is no
// child of the server, but would die with the holder all the same). The holder's restart then
// ends none of it.
Status RealStepExecutor::DetachServer(const std::string& socket, const Progress& progress) {
  Result<Tmux> tmux = tmux_.Sibling(socket);
  if (!tmux.ok()) return tmux.status();
  Result<TmuxSessions> sessions = tmux.value().ListSessions();
  if (!sessions.ok()) return sessions.status();
  const int64_t server = sessions.value().server_pid;
  auto done = [&] {
    progress(fmt::format("{}: done", DescribeStep(Step::DetachServer(socket))));
    return Status::Ok();
  };
  if (!sessions.value().server_running || !InUnitCgroup(fs_, server, kHolderUnit)) return done();
  Result<ServiceProcess> holder = systemd_.MainProcess(kHolderUnit);
  if (!holder.ok()) return holder.status();
  const std::string scope = PreviousServerScope(socket);
  bool scope_runs = false;
  std::string failure;
  // What starts while the others move, or ends before systemd moves it, is seen next round.
  for (int round = 0; round < 5; ++round) {
    std::vector<int64_t> others = ProcessesInCgroup(fs_, holder.value().control_group);
    std::erase(others, holder.value().main_pid);
    if (others.empty()) break;
    Status moved = scope_runs ? systemd_.AttachProcesses(scope, others)
                              : systemd_.StartScope(scope,
                                                    fmt::format("tmux server of -L {}, which the "
                                                                "fleet moved away from",
                                                                socket),
                                                    others);
    // An earlier apply made the scope and stopped: join it.
    if (!scope_runs && !moved.ok() && moved.message().find("already exists") != std::string::npos)
      moved = systemd_.AttachProcesses(scope, others);
    if (moved.ok())
      scope_runs = true;
    else
      failure = moved.message();
  }
  // The server itself must be out, whatever the listing said: the holder's restart would end it.
  if (InUnitCgroup(fs_, server, kHolderUnit))
    return Status::Error(fmt::format(
        "could not move the server of {} out of {}'s cgroup ({}); the holder is not restarted, "
        "so that nothing on it ends",
        tmux.value().Describe(), kHolderUnit,
        failure.empty() ? "its processes keep changing" : failure));
  return done();
}

// Ends the server of `socket` (a socket the fleet left) unless sessions the tool did not
// create still run there, and forgets the socket once its server is gone.
Status RealStepExecutor::RetireSocket(const std::string& socket, const std::string& record,
                                      const Progress& progress) {
  Result<Tmux> tmux = tmux_.Sibling(socket);
  if (!tmux.ok()) return tmux.status();
  Result<TmuxSessions> sessions = tmux.value().ListSessions();
  if (!sessions.ok()) return sessions.status();
  if (sessions.value().server_running) {
    Result<bool> gone = tmux.value().KillServerIfOnlyOurs();
    if (!gone.ok()) return gone.status();
    if (!gone.value()) {
      std::vector<std::string> others;
      for (const auto& [name, session] : sessions.value().sessions)
        if (!session.owned() && session.owner != kOwnerHolder && session.owner != kOwnerViewer)
          others.push_back(name);
      progress(fmt::format(
          "retire-socket -L {}: its server stays for sessions mosaic-fleet did "
          "not create ({})",
          socket, others.empty() ? "made just now" : fmt::format("{}", fmt::join(others, ", "))));
      return Status::Ok();
    }
  }
  if (Status forgotten = UpdateRecord(record, {}, socket); !forgotten.ok()) return forgotten;
  progress(fmt::format("retire-socket -L {}: done", socket));
  return Status::Ok();
}

Status DryRunExecutor::Execute(const Step& step, const Progress& progress) {
  recorded.push_back(DescribeStep(step));
  if (progress) progress("would " + recorded.back());
  return Status::Ok();
}

ExecutionReport ExecuteSteps(const std::vector<Step>& steps, StepExecutor& executor,
                             const Progress& progress) {
  ExecutionReport report;
  Progress report_to = progress ? progress : [](const std::string&) {};
  for (size_t i = 0; i < steps.size();) {
    // The writes that follow, up to the first of a file already among them: written together.
    size_t end = i;
    std::set<std::string> paths;
    while (end < steps.size() && IsFileWrite(steps[end]) && paths.insert(steps[end].path).second)
      ++end;
    if (end - i > 1) {
      ExecutionReport writes =
          executor.ExecuteWrites(std::span(steps).subspan(i, end - i), report_to);
      report.completed += writes.completed;
      if (report.failure = writes.failure; !report.failure.ok()) break;
      i = end;
      continue;
    }
    report.failure = executor.Execute(steps[i], report_to);
    if (!report.failure.ok()) break;
    ++report.completed;
    ++i;
  }
  return report;
}

}  // namespace mosaic
