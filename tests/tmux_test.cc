// The single tmux entry point, with a recording process runner: what it refuses never
// starts a process, and what it runs always names the fleet's socket.
#include "tmux.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "temp_dir.h"

namespace mosaic {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(Tmux, RefusesTheDefaultSocketAndUnsafeSocketNames) {
  RecordingProcessRunner runner;
  for (std::string socket : {"", "default", "a/b", "-x", "a b", "#{pid}"}) {
    Result<Tmux> tmux = Tmux::ForSocket(socket, runner);
    EXPECT_FALSE(tmux.ok()) << socket;
  }
  EXPECT_TRUE(runner.calls.empty());
}

TEST(Tmux, EveryCommandNamesTheSocketAndUnsetsTmux) {
  RecordingProcessRunner runner;
  Result<Tmux> tmux = Tmux::ForSocket("fleet", runner);
  ASSERT_TRUE(tmux.ok());
  (void)tmux.value().ListSessions();
  (void)tmux.value().KillOwnedSession("a");
  (void)tmux.value().KillServer();
  (void)tmux.value().NewSession("a", {"/bin/true", "x"}, {kOwnerAgent, "pi", "/w", "c", "e"});
  ASSERT_EQ(runner.calls.size(), 5u);  // the kill looks for `agent watch` viewers first
  for (size_t i = 0; i < runner.calls.size(); ++i) {
    EXPECT_THAT(std::vector<std::string>(runner.calls[i].begin(), runner.calls[i].begin() + 3),
                ElementsAre("tmux", "-L", "fleet"));
    EXPECT_THAT(runner.unset[i], testing::Contains("TMUX"));
  }
}

TEST(Tmux, OnlyTheHoldersStartMayStartAServer) {
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  (void)tmux.NewSession("a", {"/bin/true", "x"}, {});
  (void)tmux.ListSessions();
  (void)tmux.StartServerWithHolder({{"new-session", "-d", "-s", "_holder"}});
  EXPECT_EQ(runner.calls[0][3], "-N");
  EXPECT_EQ(runner.calls[1][3], "-N");
  EXPECT_EQ(runner.calls[2][3], "new-session");
}

// Against a real tmux server on a private socket: which sessions KillOwnedSession kills.
class RealTmux : public testing::Test {
 protected:
  RealTmux()
      : tmux_(Tmux::ForSocket("fleet", runner_, {dir_ / "sock", std::chrono::seconds(5)}).value()) {
  }
  ~RealTmux() override { (void)Raw({"kill-server"}); }

  // tmux itself, on the test's socket (it may start the server).
  ProcessResult Raw(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-S", dir_ / "sock"});
    return runner_.Run({args, {"TMUX"}, std::chrono::seconds(5)}).value();
  }
  std::set<std::string> Sessions() {
    std::set<std::string> names;
    std::stringstream out(Raw({"list-sessions", "-F", "#{session_name}"}).out);
    for (std::string line; std::getline(out, line);) names.insert(line);
    return names;
  }

  TempDir dir_;
  RealProcessRunner runner_;
  Tmux tmux_;
};

TEST_F(RealTmux, KillsOnlySessionsTheToolMadeAndAGoneOneIsAlreadyKilled) {
  for (std::string name : {"keep", "mine", "mine0", "foreign"})
    ASSERT_EQ(Raw({"new-session", "-d", "-s", name, "--", "sleep", "1000"}).exit_code, 0);
  for (std::string name : {"mine", "mine0"})
    Raw({"set-option", "-t", "=" + name + ":", "@mosaic-owner", kOwnerAgent});
  EXPECT_TRUE(tmux_.KillOwnedSession("gone").ok()) << "a session already gone is done";
  Status foreign = tmux_.KillOwnedSession("foreign");
  EXPECT_FALSE(foreign.ok());
  EXPECT_THAT(foreign.message(), HasSubstr("not created by mosaic-fleet"));
  EXPECT_TRUE(tmux_.KillOwnedSession("mine").ok());
  EXPECT_EQ(Sessions(), (std::set<std::string>{"foreign", "keep", "mine0"}));
  (void)Raw({"kill-server"});
  Status no_server = tmux_.KillOwnedSession("mine0");
  EXPECT_TRUE(no_server.ok()) << "no server: nothing left to kill; " << no_server.message();
}

TEST(Tmux, ArgumentsEndingInASemicolonReachTmuxLiterally) {
  EXPECT_EQ(TmuxLiteral("/srv/x;"), "/srv/x\\;");
  EXPECT_EQ(TmuxLiteral(";"), "\\;");
  EXPECT_EQ(TmuxLiteral("a\\;"), "a\\\\;");
  EXPECT_EQ(TmuxLiteral("a;b"), "a;b");
  EXPECT_EQ(TmuxLiteral(""), "");
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  ASSERT_TRUE(tmux.NewSession("a", {"/bin/x", "y;"}, {kOwnerAgent, "pi", "/w;", "c", "e"}).ok());
  const std::vector<std::string>& call = runner.calls[0];
  // Exactly the separators this class puts between its own commands.
  EXPECT_EQ(std::count(call.begin(), call.end(), ";"), 5);
  EXPECT_THAT(call, testing::Contains("y\\;"));
  EXPECT_THAT(call, testing::Contains("/w\\;"));
}

TEST(Tmux, UsesTheSocketPathWhenItIsKnownAndBoundsEveryCall) {
  RecordingProcessRunner runner;
  Tmux tmux =
      Tmux::ForSocket("fleet", runner, {"/run/user/0/tmux-0/fleet", std::chrono::seconds(3)})
          .value();
  (void)tmux.ListSessions();
  EXPECT_THAT(std::vector<std::string>(runner.calls[0].begin(), runner.calls[0].begin() + 4),
              ElementsAre("tmux", "-S", "/run/user/0/tmux-0/fleet", "-N"));
  EXPECT_EQ(runner.timeouts[0], std::chrono::seconds(3));
  EXPECT_FALSE(Tmux::ForSocket("fleet", runner, {"relative/path"}).ok());
}

TEST(Tmux, AServerThatDoesNotAnswerIsAnErrorNamingIt) {
  RecordingProcessRunner runner([](const std::vector<std::string>&) {
    ProcessResult r;
    r.timed_out = true;
    return r;
  });
  Result<TmuxSessions> sessions = Tmux::ForSocket("fleet", runner).value().ListSessions();
  ASSERT_FALSE(sessions.ok());
  EXPECT_THAT(sessions.status().message(), HasSubstr("tmux -L fleet did not answer within 10 s"));
}

TEST(Tmux, UnsafeSessionNamesNeverReachTmux) {
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  EXPECT_FALSE(tmux.KillOwnedSession("a:0").ok());
  EXPECT_FALSE(tmux.KillOwnedSession("a.b").ok());
  EXPECT_FALSE(tmux.KillOwnedSession("a;").ok());
  Status s = tmux.NewSession("#(reboot)", {"/bin/true", "x"}, {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("may not contain '#'"));
  EXPECT_TRUE(runner.calls.empty());
}

TEST(Tmux, NewSessionPassesNoStartDirectoryAndRecordsOwnership) {
  RecordingProcessRunner runner;
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  ASSERT_TRUE(
      tmux.NewSession("a", {"/bin/agent", "x y"}, {kOwnerAgent, "pi", "/w#(x)", "c1", "e1"}).ok());
  const std::vector<std::string>& call = runner.calls[0];
  EXPECT_THAT(std::vector<std::string>(call.begin(), call.begin() + 13),
              ElementsAre("tmux", "-L", "fleet", "-N", "new-session", "-d", "-P", "-F",
                          "#{pane_pid}", "-s", "a", "--", "/bin/agent"));
  EXPECT_EQ(std::find(call.begin(), call.end(), "-c"), call.end());
  EXPECT_THAT(call, testing::Contains("@mosaic-owner"));
  EXPECT_THAT(call, testing::Contains("=a:"));
}

TEST(Tmux, CreatingASessionTellsATakenNameAndAMissingServerFromAnError) {
  std::string answer_out, answer_err;
  int answer_code = 0;
  RecordingProcessRunner runner([&](const std::vector<std::string>&) {
    return ProcessResult{answer_code, answer_out, answer_err};
  });
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  auto create = [&] { return tmux.CreateSession("a", {"/bin/agent", "x"}, {kOwnerAgent}); };
  answer_out = "4242\n";
  ASSERT_TRUE(create().ok());
  EXPECT_EQ(create().value().outcome, CreatedSession::Outcome::kCreated);
  EXPECT_EQ(create().value().pane_pid, 4242);
  answer_code = 1, answer_out = "", answer_err = "duplicate session: a\n";
  EXPECT_EQ(create().value().outcome, CreatedSession::Outcome::kNameTaken);
  answer_err = "no server running on /tmp/tmux-0/fleet\n";
  EXPECT_EQ(create().value().outcome, CreatedSession::Outcome::kNoServer);
  answer_err = "create window failed: fork failed\n";
  ASSERT_FALSE(create().ok());
  EXPECT_THAT(create().status().message(), HasSubstr("fork failed"));
}

TEST(Tmux, ListingOneSessionTargetsItExactlyAndAMissingOneIsNoError) {
  std::string answer_err;
  RecordingProcessRunner runner([&](const std::vector<std::string>&) {
    if (!answer_err.empty()) return ProcessResult{1, "", answer_err};
    return ProcessResult{0, "10\t12\t1\t3\t\t0\tmosaic-fleet\tpi\tc1\te1\t/w\t1700000000\ta\n", ""};
  });
  Tmux tmux = Tmux::ForSocket("fleet", runner).value();
  Result<TmuxSessions> one = tmux.ListSession("a");
  ASSERT_TRUE(one.ok());
  EXPECT_THAT(std::vector<std::string>(runner.calls[0].begin() + 4, runner.calls[0].begin() + 9),
              ElementsAre("list-panes", "-s", "-t", "=a:", "-F"))
      << "exactly the session: a bare =a is read as a window named a, in any session";
  EXPECT_TRUE(one.value().server_running);
  ASSERT_TRUE(one.value().sessions.contains("a"));
  EXPECT_EQ(one.value().sessions.at("a").pane_pid, 12);
  EXPECT_EQ(one.value().sessions.at("a").dead_status, 3);
  answer_err = "can't find session: a\n";
  one = tmux.ListSession("a");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one.value().server_running);
  EXPECT_TRUE(one.value().sessions.empty());
  answer_err = "no server running on /tmp/tmux-0/fleet\n";
  one = tmux.ListSession("a");
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one.value().server_running);
  EXPECT_FALSE(tmux.ListSession("a.b").ok()) << "names are checked before any call";
}

TEST(Tmux, ANoServerAnswerIsAnObservationNotAnError) {
  RecordingProcessRunner runner([](const std::vector<std::string>&) {
    return ProcessResult{1, "", "no server running on /tmp/tmux-0/fleet\n"};
  });
  Result<TmuxSessions> sessions = Tmux::ForSocket("fleet", runner).value().ListSessions();
  ASSERT_TRUE(sessions.ok());
  EXPECT_FALSE(sessions.value().server_running);
}

TEST(Tmux, ParsesSessionsWithTheirOwnershipRecords) {
  RecordingProcessRunner runner([](const std::vector<std::string>&) {
    return ProcessResult{0,
                         "10\t11\t0\t\t\t0\tmosaic-fleet-holder\t\t\t\t\t1700000000\t_holder\n"
                         "10\t12\t1\t3\t\t0\tmosaic-fleet\tpi\tc1\te1\t/w\t1700000000\ta\n"
                         "10\t14\t1\t\t9\t0\tmosaic-fleet\tpi\tc1\te1\t/w\t\tb\n"
                         "10\t15\t1\t\t\t0\tmosaic-fleet\tpi\tc1\te1\t/w\t\tc\n"
                         "10\t13\t0\t\t\t0\t\t\t\t\t\t\tweird\tname\n",
                         ""};
  });
  TmuxSessions s = Tmux::ForSocket("fleet", runner).value().ListSessions().value();
  EXPECT_EQ(s.server_pid, 10);
  ASSERT_EQ(s.sessions.size(), 5u);
  EXPECT_FALSE(s.sessions["_holder"].dead);
  EXPECT_TRUE(s.sessions["a"].dead);
  EXPECT_EQ(HowItEnded(s.sessions["a"]), "exited with status 3");
  EXPECT_EQ(s.sessions["a"].activity, 1'700'000'000);
  EXPECT_EQ(HowItEnded(s.sessions["b"]), "was killed by signal 9 (KILL)");
  EXPECT_EQ(HowItEnded(s.sessions["c"]), "ended (tmux has not reported how)");
  EXPECT_TRUE(s.sessions["a"].owned());
  EXPECT_EQ(s.sessions["a"].workdir, "/w");
  EXPECT_FALSE(s.sessions["weird\tname"].owned());
}

}  // namespace
}  // namespace mosaic
