// Observing costs one tmux process and two bus calls whatever the fleet size, and finds the
// files, heartbeats and user data that matter.
#include "observer.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "memory_file_system.h"
#include "planner_fixture.h"
#include "recording_systemd_manager.h"

namespace mosaic {
namespace {

using testing::ElementsAre;

TEST(Observe, ThousandAgentsCostOneTmuxProcessAndTwoBusCalls) {
  std::string roster = "version: 1\nagents:\n";
  for (int i = 0; i < 1000; ++i) roster += fmt::format("  - {{name: agent{}, runtime: pi}}\n", i);
  DesiredState desired = testing_support::Desired(roster);
  MemoryFileSystem fs;
  RecordingSystemdManager systemd;
  RecordingProcessRunner runner([](const std::vector<std::string>&) {
    return ProcessResult{1, "", "no server running on x\n"};
  });
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  Result<ObservedState> observed = Observe(desired, tmux, systemd, fs, 0);
  ASSERT_TRUE(observed.ok());
  EXPECT_EQ(runner.processes_started(), 1);
  EXPECT_EQ(systemd.bus_calls(), 2);
  EXPECT_FALSE(observed.value().tmux_server);
}

TEST(Observe, ReadsUnitsEnablementFilesHeartbeatsAndPreservedData) {
  DesiredState desired = testing_support::Desired("version: 1\nagents: [{name: a, runtime: pi}]\n");
  const FleetPaths& p = desired.paths;
  MemoryFileSystem fs;
  fs.Put(p.EnvFile("a"), "MOSAIC_AGENT_NAME=\"a\"\n");
  fs.Put(p.EnvFile("gone"), "SECRET=1\n");
  fs.Put(p.Heartbeat("a"), "", 1000);
  fs.Put(p.mosaic_home + "/fleet/custom.yaml", "x: 1\n");
  fs.Put(p.roster, "version: 1\n");
  fs.Put(p.unit_dir + "/default.target.wants/mosaic-agent@a.service", "");
  fs.Put(p.unit_dir + "/default.target.wants/mosaic-agent@gone.service", "");
  fs.PutSymlink(p.unit_dir + "/mosaic-tmux-holder.service");
  RecordingSystemdManager systemd;
  systemd.units["mosaic-agent@a.service"] = {"mosaic-agent@a.service", "loaded", "active",
                                             "exited"};
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  ObservedState o = Observe(desired, tmux, systemd, fs, 1600).value();
  EXPECT_TRUE(o.units.at("mosaic-agent@a.service").enabled);
  EXPECT_TRUE(o.units.at("mosaic-agent@a.service").active());
  EXPECT_TRUE(o.units.at("mosaic-agent@gone.service").enabled)
      << "enabled but not loaded: still seen";
  EXPECT_EQ(o.files.at(p.EnvFile("a")), "MOSAIC_AGENT_NAME=\"a\"\n");
  EXPECT_FALSE(o.files.contains(p.EnvFile("gone"))) << "a removed agent's env file is not read";
  EXPECT_THAT(o.env_files, ElementsAre("a", "gone"));
  EXPECT_EQ(o.heartbeat_ages.at("a"), 600);
  EXPECT_THAT(o.preserved, ElementsAre(p.mosaic_home + "/fleet/custom.yaml", p.run_dir));
  EXPECT_THAT(o.symlinks, ElementsAre(p.unit_dir + "/mosaic-tmux-holder.service"));
}

TEST(Observe, AsksOneUnitPerUnitFileWhetherItsLoadedCopyIsOutdated) {
  DesiredState desired = testing_support::Desired(
      "version: 1\nagents: [{name: a, runtime: pi}, {name: b, runtime: pi}]\n");
  MemoryFileSystem fs;
  RecordingSystemdManager systemd;
  for (std::string unit :
       {"mosaic-tmux-holder.service", "mosaic-agent@a.service", "mosaic-agent@b.service"})
    systemd.units[unit] = {unit, "loaded", "active", "exited"};
  systemd.stale = {"mosaic-agent@a.service"};
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  ObservedState o = Observe(desired, tmux, systemd, fs, 0).value();
  EXPECT_THAT(o.stale_unit_files, ElementsAre("mosaic-agent@.service"));
  EXPECT_EQ(systemd.bus_calls(), 4) << "two listings, and one question per unit file";
}

// The model the command tests rely on: a unit runs the file as it was when loaded, until a
// reload; a file changed on disk since then makes the unit stale.
TEST(RecordingSystemdManager, RunsTheLoadedFileUntilAReload) {
  MemoryFileSystem fs;
  RecordingSystemdManager systemd(fs, "/u");
  ASSERT_TRUE(fs.MakeDirectories("/u", 0755).ok());
  fs.Put("/u/mosaic-agent@.service", "old");
  ASSERT_TRUE(systemd.RunJobs(JobKind::kStart, {"mosaic-agent@a.service"}, nullptr).ok());
  EXPECT_THAT(systemd.UnitsNeedingReload({"mosaic-agent@a.service"}).value(), ElementsAre());
  fs.Put("/u/mosaic-agent@.service", "new");
  EXPECT_THAT(
      systemd.UnitsNeedingReload({"mosaic-agent@a.service", "mosaic-agent@b.service"}).value(),
      ElementsAre("mosaic-agent@a.service", "mosaic-agent@b.service"));
  EXPECT_EQ(systemd.LoadedUnitFile("mosaic-agent@b.service").value(), "old");
  ASSERT_TRUE(systemd.Reload().ok());
  EXPECT_THAT(systemd.UnitsNeedingReload({"mosaic-agent@a.service"}).value(), ElementsAre());
  EXPECT_EQ(systemd.LoadedUnitFile("mosaic-agent@a.service").value(), "new");
  EXPECT_FALSE(systemd.RunJobs(JobKind::kStart, {"nothere.service"}, nullptr).ok())
      << "a unit without a file is not found";
}

}  // namespace
}  // namespace mosaic
