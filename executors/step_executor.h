// StepExecutor: carries out one plan step. Every step is idempotent, so an apply interrupted
// anywhere (even by SIGKILL) is finished by the next one.
//
// The real executor acts through FileSystem, SystemdManager and Tmux; DryRunExecutor only
// records what would be done — a dry run is an executor, not an `if` in the apply loop.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "file_system.h"
#include "managed_resources.h"
#include "plan.h"
#include "systemd_manager.h"
#include "tmux.h"

namespace mosaic {

/// Called with one line per unit of work as it completes ("start mosaic-agent@a.service: done").
using Progress = std::function<void(const std::string&)>;

struct ExecutionReport {
  size_t completed = 0;
  Status failure = Status::Ok();  ///< of step `completed`, when not ok
};

/// Whether `step` only writes one file (a unit file, an env file): consecutive ones can be
/// made durable together.
bool IsFileWrite(const Step& step);

class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  virtual Status Execute(const Step& step, const Progress& progress) = 0;
  /// `writes`, steps of distinct files for which IsFileWrite holds, in order, stopping at the
  /// first failure. The real executor makes them durable together (one sync pass, not two
  /// syncs per file); by default, each is executed by itself.
  virtual ExecutionReport ExecuteWrites(std::span<const Step> writes, const Progress& progress);
};

/// Acts through the real interfaces, on nothing but `managed` allows (a step naming anything
/// else fails before it acts).
class RealStepExecutor : public StepExecutor {
 public:
  /// REQUIRES: all four outlive this.
  RealStepExecutor(FileSystem& fs, SystemdManager& systemd, const Tmux& tmux,
                   const ManagedResources& managed)
      : fs_(fs), systemd_(systemd), tmux_(tmux), managed_(managed) {}
  Status Execute(const Step& step, const Progress& progress) override;
  ExecutionReport ExecuteWrites(std::span<const Step> writes, const Progress& progress) override;

 private:
  /// Whether `step` touches only what the roster manages.
  Status Allowed(const Step& step);
  Status Act(const Step& step, const Progress& progress);
  /// The file a write step leaves: its content, or for an env file the merge with the file as
  /// it is now. Its directory is made.
  Result<FileWrite> FileOf(const Step& step);
  /// The record of previous sockets as it is now, with `add` added and `remove` removed,
  /// written back (removed once it names none).
  Status UpdateRecord(const std::string& path, const std::vector<std::string>& add,
                      const std::string& remove);
  Status DetachServer(const std::string& socket, const Progress& progress);
  Status RetireSocket(const std::string& socket, const std::string& record,
                      const Progress& progress);
  FileSystem& fs_;
  SystemdManager& systemd_;
  const Tmux& tmux_;
  const ManagedResources& managed_;
};

/// Acts on nothing: each step is only reported ("would start …"), and recorded.
class DryRunExecutor : public StepExecutor {
 public:
  Status Execute(const Step& step, const Progress& progress) override;
  std::vector<std::string> recorded;  ///< one line per step that would run
};

/// One line describing `step`, e.g. "start mosaic-agent@a.service mosaic-agent@b.service".
std::string DescribeStep(const Step& step);

/// What running a plan's steps came to: how many completed, and why the next one failed.
/// The apply loop, for real runs and dry runs alike: the steps in order through `executor`
/// (consecutive writes of distinct files together), each unit of work reported to `progress`,
/// stopping at the first failure.
ExecutionReport ExecuteSteps(const std::vector<Step>& steps, StepExecutor& executor,
                             const Progress& progress);

}  // namespace mosaic
