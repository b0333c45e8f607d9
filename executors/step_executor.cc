#include "step_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "env_merge.h"

namespace mosaic {

std::string DescribeStep(const Step& step) {
  if (!step.path.empty()) return fmt::format("{} {}", StepName(step.kind), step.path);
  if (step.names.empty()) return std::string(StepName(step.kind));
  return fmt::format("{} {}", StepName(step.kind), fmt::join(step.names, " "));
}

Status RealStepExecutor::WriteFile(const std::string& path, const std::string& content,
                                   unsigned mode) {
  std::string dir = path.substr(0, path.rfind('/'));
  if (Status s = fs_.MakeDirectories(dir, 0700); !s.ok()) return s;
  return fs_.WriteFileAtomic(path, content, static_cast<mode_t>(mode));
}

Status RealStepExecutor::Execute(const Step& step, const Progress& progress) {
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
    case StepKind::kDaemonReload:
    case StepKind::kKillSessions:  // KillOwnedSession checks ownership inside tmux
      break;
  }
  if (!allowed.ok()) return allowed;
  static const Progress kSilent = [](const std::string&) {};
  return Act(step, progress ? progress : kSilent);
}

Status RealStepExecutor::Act(const Step& step, const Progress& progress) {
  auto each_job = [&](const std::string& unit, const std::string& result) {
    progress(fmt::format("{} {}: {}", StepName(step.kind), unit, result));
  };
  Status status = Status::Ok();
  switch (step.kind) {
    case StepKind::kWriteFile:
      status = WriteFile(step.path, step.content, step.mode);
      break;
    case StepKind::kMergeEnvFile: {
      // Merged with the file as it is now: user lines written since the plan are kept too.
      Result<std::string> current = fs_.ReadFile(step.path, kMaxEnvFileBytes);
      std::string existing = current.ok() ? current.value() : "";
      if (!current.ok() && fs_.Stat(step.path)) return current.status();
      EnvMerge merge = MergeEnvFile(existing, step.owned);
      if (!merge.ok())
        return Status::Error("not rewritten, to keep your lines:\n" +
                             DescribeEnvProblems(step.path, merge.problems));
      status = WriteFile(step.path, merge.content, step.mode);
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
    case StepKind::kKillSessions:
      for (const std::string& name : step.names) {
        if (Status s = tmux_.KillOwnedSession(name); !s.ok()) return s;
        progress(fmt::format("kill-session ={}: done", name));
      }
      return Status::Ok();
  }
  if (status.ok()) progress(DescribeStep(step) + ": done");
  return status;
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
  for (const Step& step : steps) {
    report.failure = executor.Execute(step, report_to);
    if (!report.failure.ok()) break;
    ++report.completed;
  }
  return report;
}

}  // namespace mosaic
