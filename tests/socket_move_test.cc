// MakePlan for a socket move (the roster's tmux.socket_name changed): what is recorded,
// detached, restarted and ended, in which order, and what is held or left alone.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "make_plan.h"
#include "plan_render.h"
#include "planner_fixture.h"
#include "status_report.h"
#include "unit_files.h"

namespace mosaic {
namespace {

using testing::Contains;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::Not;
using testing_support::Converged;
using testing_support::Desired;

std::string Roster(const std::string& socket, const std::string& persona = "false") {
  return fmt::format(
      "version: 1\n"
      "tmux: {{socket_name: {}}}\n"
      "agents:\n"
      "  - {{name: a, runtime: claude, persistent_persona: {}}}\n"
      "  - {{name: a0, runtime: pi}}\n",
      socket, persona);
}

// The world a fleet converged on socket `old` leaves, seen by a roster that names another:
// every session, the holder's keep-alive included, on the old socket's server, which runs in
// the holder's cgroup; the unit and env files still the old roster's.
ObservedState MovedAway(const std::string& old_roster, const std::string& old_socket) {
  ObservedState observed = Converged(Desired(old_roster));
  ObservedPreviousSocket previous{.name = old_socket,
                                  .server = true,
                                  .server_pid = observed.tmux_server_pid,
                                  .server_in_holder = true,
                                  .sessions = std::move(observed.sessions)};
  observed.previous_sockets.push_back(std::move(previous));
  observed.sessions.clear();
  observed.tmux_server = false;
  observed.tmux_server_pid = 0;
  return observed;
}

std::vector<std::string> Steps(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) {
    std::string names = fmt::format("{}", fmt::join(s.names, ","));
    std::string what = !s.socket.empty() ? fmt::format("-L {} {}", s.socket, names)
                       : s.kind == StepKind::kRecordSockets || s.path.empty() ? names
                                                                              : s.path;
    out.push_back(fmt::format("{} {}", StepName(s.kind), what));
  }
  return out;
}

std::vector<std::string> Addresses(const Plan& plan) {
  std::vector<std::string> out;
  for (const ResourceChange& c : plan.changes)
    out.push_back(fmt::format("{} {}", ActionSymbol(c.action), c.address));
  return out;
}

const ResourceChange& Change(const Plan& plan, const std::string& address) {
  for (const ResourceChange& c : plan.changes)
    if (c.address == address) return c;
  static const ResourceChange kNone;
  ADD_FAILURE() << "no change " << address;
  return kNone;
}

TEST(SocketMove, RecordsTheOldSocketFirstDetachesItsServerRestartsTheHolderThenEndsTheOldServer) {
  DesiredState desired = Desired(Roster("new"));
  Plan plan = MakePlan(desired, MovedAway(Roster("old"), "old"));
  ASSERT_FALSE(plan.has_errors());
  EXPECT_THAT(
      Steps(plan),
      ElementsAre("record-sockets old",
                  "write-file /home/op/.config/systemd/user/mosaic-tmux-holder.service",
                  "merge-env-file /home/op/.config/mosaic/fleet/agents/a.env",
                  "merge-env-file /home/op/.config/mosaic/fleet/agents/a0.env", "daemon-reload ",
                  "detach-server -L old ", "restart mosaic-tmux-holder.service",
                  "start mosaic-agent@a.service,mosaic-agent@a0.service",
                  "kill-sessions -L old a,a0", "retire-socket -L old "));
  EXPECT_EQ(plan.steps.front().path, desired.paths.PreviousSockets());
  EXPECT_THAT(Addresses(plan), Contains("~ unit.mosaic-tmux-holder.service"));
  EXPECT_THAT(Addresses(plan), Contains("-/+ agent.a"));
  EXPECT_THAT(Addresses(plan), Contains("- previous_socket.old"));
  const ResourceChange& agent = Change(plan, "agent.a");
  EXPECT_THAT(agent.reason, HasSubstr("moves with the fleet from -L old to -L new"));
  EXPECT_THAT(agent.attributes,
              ElementsAre(AttributeDiff{"socket", "old", "new", /*forces_replacement=*/true}));
  EXPECT_THAT(Change(plan, "unit.mosaic-tmux-holder.service").reason,
              HasSubstr("socket moves to -L new"));
  // The holder is restarted here, so the note that apply never restarts it would be false.
  for (const Note& note : plan.notes) EXPECT_NE(note.kind, NoteKind::kHolderUnitChanged);
  EXPECT_FALSE(plan.has_held());
}

TEST(SocketMove, SessionsTheToolDidNotCreateKeepTheOldServerRunningAndAreNeverTouched) {
  DesiredState desired = Desired(Roster("new"));
  ObservedState observed = MovedAway(Roster("old"), "old");
  observed.previous_sockets[0].sessions["mine"] = {.name = "mine", .pane_pid = 900};
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan), Contains("kill-sessions -L old a,a0"));
  EXPECT_THAT(Steps(plan), Not(Contains("retire-socket -L old ")));
  EXPECT_THAT(Steps(plan), Contains("detach-server -L old "));
  const ResourceChange& old = Change(plan, "previous_socket.old");
  EXPECT_EQ(old.action, ChangeAction::kUpdate);
  EXPECT_THAT(old.reason, HasSubstr("the server stays for the sessions it did not create"));
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0].kind, NoteKind::kPreviousSocket);
  EXPECT_THAT(plan.notes[0].message, HasSubstr("(mine)"));
  EXPECT_THAT(plan.notes[0].message, HasSubstr("mosaic-tmux-previous-old.scope"));

  // Once moved: the agents run on the new socket, only "mine" is left on the old one, whose
  // server is out of the holder's cgroup. Nothing to do, and it is said why.
  ObservedState moved = Converged(desired);
  moved.previous_sockets.push_back(
      {.name = "old", .recorded = true, .server = true, .server_pid = 50, .sessions = {}});
  moved.previous_sockets[0].sessions["_holder"] = {.name = "_holder", .owner = kOwnerHolder};
  moved.previous_sockets[0].sessions["mine"] = {.name = "mine", .pane_pid = 900};
  Plan after = MakePlan(desired, moved);
  EXPECT_TRUE(after.empty()) << RenderPlanText(after, false);
  EXPECT_THAT(after.steps, IsEmpty());
  ASSERT_EQ(after.notes.size(), 1u);
  EXPECT_EQ(after.notes[0].kind, NoteKind::kPreviousSocket);

  // Once "mine" ends, the old server (only the holder's keep-alive left) is retired.
  moved.previous_sockets[0].sessions.erase("mine");
  Plan retire = MakePlan(desired, moved);
  EXPECT_THAT(Addresses(retire), ElementsAre("- previous_socket.old"));
  EXPECT_THAT(Steps(retire), ElementsAre("retire-socket -L old "));

  // And a recorded socket whose server is gone is forgotten.
  moved.previous_sockets[0] = {.name = "old", .recorded = true};
  Plan forget = MakePlan(desired, moved);
  EXPECT_THAT(Addresses(forget), ElementsAre("- previous_socket.old"));
  EXPECT_THAT(Change(forget, "previous_socket.old").reason, HasSubstr("server is gone"));
  EXPECT_THAT(Steps(forget), ElementsAre("retire-socket -L old "));
}

TEST(SocketMove, ThatWouldEndAPersistentPersonaIsHeldWholeUntilReplaceNamesIt) {
  DesiredState desired = Desired(Roster("new", "true"));
  ObservedState observed = MovedAway(Roster("old", "true"), "old");
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(plan.steps, IsEmpty()) << fmt::format("{}", fmt::join(Steps(plan), "\n"));
  ASSERT_FALSE(plan.changes.empty());
  for (const ResourceChange& c : plan.changes) EXPECT_THAT(c.held, Not(IsEmpty())) << c.address;
  EXPECT_THAT(Change(plan, "agent.a").held, HasSubstr("persistent persona"));
  EXPECT_THAT(Change(plan, "agent.a0").held, HasSubstr("waits for: a (persistent persona"));

  PlanOptions replace;
  replace.replace = {"a"};
  Plan released = MakePlan(desired, observed, replace);
  EXPECT_FALSE(released.has_held());
  EXPECT_THAT(Steps(released), Contains("restart mosaic-tmux-holder.service"));

  // A dead persona loses nothing: the move goes ahead.
  observed.previous_sockets[0].sessions["a"].dead = true;
  EXPECT_FALSE(MakePlan(desired, observed).has_held());
}

TEST(SocketMove, AnUnattendedRunNeverEndsTheLiveSessionsAMoveWouldEnd) {
  DesiredState desired = Desired(Roster("new"));
  PlanOptions unattended;
  unattended.unattended = true;
  Plan plan = MakePlan(desired, MovedAway(Roster("old"), "old"), unattended);
  EXPECT_THAT(plan.steps, IsEmpty());
  EXPECT_TRUE(plan.has_held());
  EXPECT_THAT(Change(plan, "unit.mosaic-tmux-holder.service").held,
              HasSubstr("an unattended run never ends a live session"));
}

TEST(SocketMove, StatusSaysWhereAnUnfinishedMoveLeftEachAgent) {
  DesiredState desired = Desired(Roster("new"));
  ObservedState observed = MovedAway(Roster("old"), "old");
  PlanOptions unattended;
  unattended.unattended = true;
  StatusReport report =
      MakeStatusReport(desired, observed, MakePlan(desired, observed, unattended));
  for (const StatusRow& row : report.rows) {
    if (row.kind != StatusRowKind::kAgent) continue;
    EXPECT_THAT(row.flags, Contains(kFlagMissing)) << row.name << ": not on the fleet's socket";
    EXPECT_THAT(row.detail, HasSubstr("still running on tmux -L old: the socket move to -L new"))
        << row.name;
  }
  // A session someone else made there is not the agent's.
  observed.previous_sockets[0].sessions["a"].owner = "";
  report = MakeStatusReport(desired, observed, MakePlan(desired, observed, unattended));
  EXPECT_EQ(report.rows[1].name, "a");
  EXPECT_EQ(report.rows[1].detail, "");
}

TEST(SocketMove, AnApplyStoppedAfterItsWritesIsFinishedFromTheRecord) {
  // Killed after daemon-reload: the files name the new socket, the holder still serves the
  // old one, whose server is still in its cgroup; only the record says where the sessions are.
  DesiredState desired = Desired(Roster("new"));
  ObservedState observed = MovedAway(Roster("old"), "old");
  ObservedState written = Converged(desired);
  observed.files = written.files;
  observed.previous_sockets[0].recorded = true;
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan),
              ElementsAre("detach-server -L old ", "restart mosaic-tmux-holder.service",
                          "start mosaic-agent@a.service,mosaic-agent@a0.service",
                          "kill-sessions -L old a,a0", "retire-socket -L old "));
  // Killed after the holder's restart: the agents run on the new socket, their old sessions
  // are dead panes on the old server, now in its own scope.
  ObservedState restarted = Converged(desired);
  restarted.previous_sockets = observed.previous_sockets;
  restarted.previous_sockets[0].server_in_holder = false;
  for (auto& [name, session] : restarted.previous_sockets[0].sessions)
    if (session.owned()) session.dead = true;
  EXPECT_THAT(Steps(MakePlan(desired, restarted)),
              ElementsAre("kill-sessions -L old a,a0", "retire-socket -L old "));
}

TEST(SocketMove, IsRefusedWhereItCannotBeMadeWhole) {
  DesiredState desired = Desired(Roster("new"));
  const ObservedState moving = MovedAway(Roster("old"), "old");
  auto errors = [&](const ObservedState& observed, const PlanOptions& options) {
    std::string all;
    for (const Diagnostic& d : MakePlan(desired, observed, options).errors) all += d.message;
    return all;
  };
  // Limited to some agents (`stop x` is a targeted apply): the holder's restart moves all.
  PlanOptions targeted;
  targeted.targets = {"a"};
  EXPECT_THAT(errors(moving, targeted), HasSubstr("cannot make the move"));
  // Onto a server the holder did not start.
  ObservedState occupied = moving;
  occupied.tmux_server = true;
  occupied.tmux_server_outside_holder = true;
  EXPECT_THAT(errors(occupied, {}), HasSubstr("a tmux server already runs there"));
  // With the old socket unreadable, the holder is not restarted (its server may be inside).
  ObservedState unreadable = moving;
  unreadable.previous_sockets[0] = {.name = "old", .unreadable = "protocol version mismatch"};
  ObservedState also_moving = unreadable;
  also_moving.previous_sockets.push_back(moving.previous_sockets[0]);
  also_moving.previous_sockets.back().name = "older";
  EXPECT_THAT(errors(also_moving, {}), HasSubstr("could not be read (protocol version mismatch)"));
  // Once moved, a targeted run is fine, and an unreadable old socket is only noted.
  ObservedState moved = Converged(desired);
  moved.previous_sockets = unreadable.previous_sockets;
  Plan plan = MakePlan(desired, moved, targeted);
  EXPECT_FALSE(plan.has_errors()) << errors(moved, targeted);
  ASSERT_EQ(plan.notes.size(), 2u);  // targeted, and the unreadable socket
  EXPECT_THAT(plan.notes[1].message, HasSubstr("could not be read"));
}

}  // namespace
}  // namespace mosaic
