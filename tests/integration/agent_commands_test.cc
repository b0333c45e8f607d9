// The `agent` verbs against a real `systemd --user` and real tmux: what send and reset type
// arrives byte for byte in exactly the named agent's pane, reset's restart path touches only
// that agent, tail reads a dead pane, and watch never leaves a viewer behind.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

// Agents whose program writes what it reads to a file: what reached them, exactly.
constexpr char kSinkRoster[] =
    "version: 1\n"
    "tmux: {socket_name: itest}\n"
    "runtimes:\n"
    "  sink: {command: 'exec cat > \"$HOME/received-$MOSAIC_AGENT_NAME\"', reset_command: /clear}\n"
    "  sink2: {command: 'exec cat > \"$HOME/received-$MOSAIC_AGENT_NAME\"', reset_command: /new}\n"
    "agents:\n"
    "  - {name: a, runtime: sink, class: coder, model_hint: M1, kickstart_template: kick.md}\n"
    "  - {name: a0, runtime: sink2}\n";

class AgentCommands : public FleetIntegration {
 protected:
  std::string Received(const std::string& agent) {
    return sandbox_.Exists(sandbox_.Home() + "/received-" + agent)
               ? sandbox_.ReadFile(sandbox_.Home() + "/received-" + agent)
               : "";
  }
  bool Arrives(const std::string& agent, const std::string& content) {
    return WaitFor([&] { return Received(agent) == content; });
  }
  std::string FleetDir() { return sandbox_.Config() + "/mosaic/fleet"; }
  std::vector<std::string> Viewers() {
    std::vector<std::string> viewers;
    for (const auto& [name, pid] : sandbox_.Sessions(kSocket))
      if (name.starts_with("mosaic-watch-")) viewers.push_back(name);
    return viewers;
  }
};

TEST_F(AgentCommands, SendDeliversAnyTextIntactWithItsPreambleAndNothingToThePrefixSibling) {
  Converge(kSinkRoster);
  std::string text =
      "quotes \"double\" 'single' $(touch pwned) `touch pwned2` ${HOME} ; && | \\ é 日本語 "
      "🙂\n"
      "\tindented\n";
  for (int line = 0; line < 64; ++line)
    text += std::string(63, static_cast<char>('a' + line % 26)) + "\n";
  text += "the end;";
  sandbox_.WriteFile(sandbox_.root() + "/message.txt", text);
  RunResult sent = sandbox_.Fleet(
      {"agent", "send", "a", "--file", sandbox_.root() + "/message.txt", "--from", "tester"});
  ASSERT_EQ(sent.code, 0) << sent.out << sent.err;
  EXPECT_THAT(sent.out, HasSubstr("sent to a"));
  ASSERT_TRUE(Arrives("a", "[from tester] " + text + "\n")) << Received("a");
  EXPECT_EQ(Received("a0"), "") << "nothing reaches the prefix sibling";
  EXPECT_FALSE(sandbox_.Exists(sandbox_.Home() + "/pwned"));

  // From stdin, with the default label: who sent it, from which host.
  RunResult piped = sandbox_.Exec(
      {"sh", "-c",
       std::string("printf 'via stdin $(x)\\n' | ") + MOSAIC_FLEET_BINARY + " agent send a0 -m -"});
  ASSERT_EQ(piped.code, 0) << piped.err;
  ASSERT_TRUE(
      WaitFor([&] { return Received("a0").find("] via stdin $(x)\n") != std::string::npos; }));
  EXPECT_THAT(Received("a0"), testing::StartsWith("[from operator@"));

  // What would act instead of being read is refused, and nothing is typed.
  RunResult control = sandbox_.Fleet({"agent", "send", "a", "-m", "x\x1b[201~y"});
  EXPECT_EQ(control.code, 1);
  EXPECT_THAT(control.err, HasSubstr("control character"));
  RunResult unknown = sandbox_.Fleet({"agent", "send", "b", "-m", "hi"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("'b': no agent of that name"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Received("a"), "[from tester] " + text + "\n");
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(AgentCommands, ResetTypesTheRuntimesResetCommandThenTheKickstart) {
  sandbox_.WriteFile(FleetDir() + "/kick.md", "You are {{name}}, {{class}} on {{model}}.\n");
  Converge(kSinkRoster);
  RunResult reset = sandbox_.Fleet({"agent", "reset", "a", "--settle", "0.3"});
  ASSERT_EQ(reset.code, 0) << reset.out << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("typed /clear"));
  ASSERT_TRUE(Arrives("a", "/clear\nYou are a, coder on M1.\n")) << Received("a");

  RunResult fresh = sandbox_.Fleet({"agent", "reset", "a", "--new", "--settle", "0.3"});
  ASSERT_EQ(fresh.code, 0) << fresh.err;
  ASSERT_TRUE(Arrives("a", "/clear\nYou are a, coder on M1.\n/new\nYou are a, coder on M1.\n"))
      << Received("a");
  EXPECT_EQ(Received("a0"), "");
  // Another runtime, its own reset command (and no kickstart: none is set).
  RunResult other = sandbox_.Fleet({"agent", "reset", "a0"});
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_THAT(other.out, HasSubstr("typed /new"));
  ASSERT_TRUE(Arrives("a0", "/new\n")) << Received("a0");

  // A template with a typo is an error at its place, and nothing is typed.
  sandbox_.WriteFile(FleetDir() + "/kick.md", "Hello\n  {{nmae}}\n");
  RunResult typo = sandbox_.Fleet({"agent", "reset", "a"});
  EXPECT_EQ(typo.code, 1);
  EXPECT_THAT(typo.err, HasSubstr("kick.md:2:3: error: unknown placeholder '{{nmae}}'"));

  // A persistent persona is not reset by accident.
  WriteRoster(std::string(kSinkRoster) +
              "  - {name: lead, runtime: sink, persistent_persona: true}\n");
  ASSERT_EQ(Apply().code, 0);
  RunResult refused = sandbox_.Fleet({"agent", "reset", "lead"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  RunResult forced = sandbox_.Fleet({"agent", "reset", "lead", "--force"});
  ASSERT_EQ(forced.code, 0) << forced.err;
  ASSERT_TRUE(Arrives("lead", "/clear\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Received("a"), "/clear\nYou are a, coder on M1.\n/new\nYou are a, coder on M1.\n");
}

TEST_F(AgentCommands, ResetWithoutAResetCommandRestartsExactlyThatAgentThenSendsTheKickstart) {
  sandbox_.WriteFile(FleetDir() + "/kick.md", "Begin, {{name}}.\n");
  Converge(
      "version: 1\ntmux: {socket_name: itest}\n"
      "runtimes: {fresh: {command: 'echo started; exec cat >> "
      "\"$HOME/fresh-$MOSAIC_AGENT_NAME\"'}}\n"
      "agents:\n  - {name: b, runtime: fresh, kickstart_template: kick.md}\n"
      "  - {name: b0, runtime: fresh}\n");
  long server = sandbox_.ServerPid(kSocket);
  auto before = sandbox_.Sessions(kSocket);
  RunResult reset = sandbox_.Fleet({"agent", "reset", "b", "--settle", "0.5"});
  ASSERT_EQ(reset.code, 0) << reset.out << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("restarted mosaic-agent@b.service"));
  auto after = sandbox_.Sessions(kSocket);
  EXPECT_NE(after["b"], before["b"]) << "a fresh program";
  EXPECT_EQ(after["b0"], before["b0"]) << "the sibling is untouched";
  EXPECT_EQ(sandbox_.ServerPid(kSocket), server) << "the server is untouched";
  auto fresh = [&](const std::string& agent) {
    std::string path = sandbox_.Home() + "/fresh-" + agent;
    return sandbox_.Exists(path) ? sandbox_.ReadFile(path) : std::string();
  };
  ASSERT_TRUE(WaitFor([&] { return fresh("b") == "Begin, b.\n"; })) << fresh("b");
  EXPECT_EQ(fresh("b0"), "");
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(AgentCommands, TailPrintsADeadPanesLastOutputAndHowItsProgramEnded) {
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\n"
      "runtimes: {talks: {command: 'for i in 1 2 3 4 5; do echo line $i; done; exit 3'}}\n"
      "agents:\n  - {name: d, runtime: talks, restart: never}\n  - {name: a0, runtime: pi}\n");
  (void)Apply();  // it reports d's death; the pane stays for reading
  ASSERT_TRUE(WaitFor([&] { return PaneValue("d", "#{pane_dead_status}") == "3"; }));
  RunResult tail = sandbox_.Fleet({"agent", "tail", "d", "-n", "3"});
  EXPECT_EQ(tail.code, 0) << tail.err;
  EXPECT_EQ(tail.out, "line 3\nline 4\nline 5\n");
  EXPECT_THAT(tail.err, HasSubstr("d is dead: its program exited with status 3"));
  RunResult send = sandbox_.Fleet({"agent", "send", "d", "-m", "anyone?"});
  EXPECT_EQ(send.code, 1);
  EXPECT_THAT(send.err, HasSubstr("exited with status 3: nothing can take the text"));
  RunResult running = sandbox_.Fleet({"agent", "tail", "a0"});
  EXPECT_EQ(running.code, 0) << running.err << " (a running stand-in)";
}

TEST_F(AgentCommands, TailFollowPrintsEveryLineOnceInOrderUntilTheProgramEnds) {
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nruntimes: {sh: {command: 'exec sh'}}\n"
      "agents:\n  - {name: s, runtime: sh, restart: never}\n  - {name: s0, runtime: sh}\n");
  // A line the follower's first look prints (-n 1): seeing it means the follower is looking
  // before N1 comes, however slow its start (ASan builds start in seconds, not milliseconds).
  sandbox_.Tmux(kSocket, {"send-keys", "-t", "=s:", "echo READY", "Enter"});
  ASSERT_TRUE(WaitFor([&] {
    return sandbox_.Tmux(kSocket, {"capture-pane", "-p", "-t", "=s:"}).out.find("\nREADY\n") !=
           std::string::npos;
  }));
  pid_t follower = sandbox_.SpawnFleet({"agent", "tail", "s", "--follow", "-n", "1"});
  // What the follower wrote (".out", ".err"): it is the only spawned process of this sandbox.
  auto follower_file = [&](const std::string& extension) {
    for (const auto& entry : std::filesystem::directory_iterator(sandbox_.root() + "/out"))
      if (entry.path().filename().string().starts_with("spawn") &&
          entry.path().extension() == extension)
        return sandbox_.ReadFile(entry.path().string());
    return std::string();
  };
  if (!WaitFor([&] { return follower_file(".out") == "READY\n"; }, 30)) {
    ::kill(-follower, SIGKILL);
    Sandbox::Wait(follower);
    FAIL() << "the follower's first look did not print READY: " << follower_file(".out");
  }
  // Faster than it looks (every 0.5 s), and more than a screen: counted, not guessed.
  sandbox_.Tmux(kSocket, {"send-keys", "-t", "=s:",
                          "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo N$i; "
                          "[ $((i % 50)) = 0 ] && sleep 0.3; done; exit 3",
                          "Enter"});
  int code = Sandbox::Wait(follower);
  EXPECT_EQ(code, 0);
  std::string out = follower_file(".out");
  std::string err = follower_file(".err");
  ASSERT_FALSE(out.empty());
  std::string expected;
  for (int i = 1; i <= 300; ++i) expected += "N" + std::to_string(i) + "\n";
  std::string numbered;
  std::stringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.size() > 1 && line[0] == 'N' && std::isdigit(static_cast<unsigned char>(line[1])))
      numbered += line + "\n";
  EXPECT_EQ(numbered, expected) << out;
  EXPECT_THAT(err, HasSubstr("exited with status 3"));
}

TEST_F(AgentCommands, ConcurrentSendsStaySeparateSubmissionsAndAHeldAgentIsNotReset) {
  Converge(kSinkRoster);
  std::vector<pid_t> senders;
  for (int i = 0; i < 6; ++i)
    senders.push_back(sandbox_.SpawnFleet(
        {"agent", "send", "a", "-m", "message " + std::to_string(i), "--from", "p"}));
  for (pid_t sender : senders) EXPECT_EQ(Sandbox::Wait(sender), 0);
  ASSERT_TRUE(WaitFor([&] {
    std::string received = Received("a");
    return std::count(received.begin(), received.end(), '\n') == 6;
  })) << Received("a");
  std::stringstream lines(Received("a"));
  std::set<std::string> got;
  for (std::string line; std::getline(lines, line);) got.insert(line);
  std::set<std::string> want;
  for (int i = 0; i < 6; ++i) want.insert("[from p] message " + std::to_string(i));
  EXPECT_EQ(got, want) << "each message its own line: its own submission";

  // An agent kept stopped is not started again by a reset (it would restart its unit).
  ASSERT_EQ(sandbox_.Fleet({"stop", "a0"}).code, 0);
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\n"
      "runtimes: {sink: {command: 'exec cat > \"$HOME/received-$MOSAIC_AGENT_NAME\"'}}\n"
      "agents:\n  - {name: a, runtime: sink}\n  - {name: a0, runtime: sink}\n");
  RunResult reset = sandbox_.Fleet({"agent", "reset", "a0"});
  EXPECT_EQ(reset.code, 1);
  EXPECT_THAT(reset.err, HasSubstr("a0 is kept stopped"));
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a0"), 0u);
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a0.service"), "inactive");
  // restart --all restarts what runs, and leaves the held one alone.
  long a = sandbox_.Sessions(kSocket)["a"];
  RunResult all = sandbox_.Fleet({"restart", "--all"});
  EXPECT_EQ(all.code, 0) << all.err;
  EXPECT_THAT(all.err, HasSubstr("a0 is kept stopped: not restarted"));
  ASSERT_TRUE(WaitFor([&] {
    auto now = sandbox_.Sessions(kSocket);
    return now.count("a") == 1 && now["a"] != a;
  }));
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a0"), 0u);
}

// The pty's output, read as it comes so that the attached client never blocks on it.
void Drain(int master) {
  char buffer[4096];
  while (::read(master, buffer, sizeof buffer) > 0) {
  }
}

TEST_F(AgentCommands, WatchIsReadOnlyKeepsTheWindowSizeAndLeavesNoViewerAfterASignalOrAHangup) {
  Converge();
  std::string size = PaneValue("a", "#{window_width}x#{window_height}");
  auto sessions = sandbox_.Sessions(kSocket);
  for (int hangup : {0, 1}) {
    int master = -1;
    pid_t watcher = sandbox_.SpawnFleetOnTerminal({"agent", "watch", "a"}, &master, 50, 10);
    ASSERT_GT(watcher, 0);
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    ASSERT_TRUE(WaitFor([&] {
      Drain(master);
      return Viewers().size() == 1 && PaneValue(Viewers()[0], "#{session_attached}") == "1";
    })) << sandbox_.ManagerLog();
    // Keys typed at the watching terminal never reach the agent.
    ASSERT_EQ(::write(master, "typed-by-watcher\r", 17), 17);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Drain(master);
    std::string screen = sandbox_.Tmux(kSocket, {"capture-pane", "-p", "-t", "=a:"}).out;
    EXPECT_THAT(screen, Not(HasSubstr("typed-by-watcher")));
    EXPECT_EQ(PaneValue("a", "#{window_width}x#{window_height}"), size) << "never resized";
    RunResult status = sandbox_.Fleet({"status"});
    EXPECT_EQ(status.code, 0) << status.out;
    EXPECT_THAT(status.out, Not(HasSubstr("mosaic-watch"))) << "a viewer is not a session";

    if (hangup) {
      ::close(master);  // the terminal goes away
    } else {
      ::kill(watcher, SIGTERM);
    }
    int code = Sandbox::Wait(watcher);
    EXPECT_EQ(code, hangup ? 128 + SIGHUP : 128 + SIGTERM);
    EXPECT_TRUE(Viewers().empty()) << "the viewer is removed";
    if (!hangup) ::close(master);
    EXPECT_EQ(PaneValue("a", "#{window-size}"), "latest") << "its own setting back";
  }
  EXPECT_EQ(sandbox_.Sessions(kSocket), sessions) << "the agents' sessions are untouched";
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(AgentCommands, AnAgentThatDiesWhileWatchedIsRestartedAsPromptlyAsAnUnwatchedOne) {
  Converge();
  int master = -1;
  pid_t watcher = sandbox_.SpawnFleetOnTerminal({"agent", "watch", "a"}, &master, 80, 24);
  ASSERT_GT(watcher, 0);
  ::fcntl(master, F_SETFL, O_NONBLOCK);
  ASSERT_TRUE(WaitFor([&] {
    Drain(master);
    return Viewers().size() == 1 && PaneValue(Viewers()[0], "#{session_attached}") == "1";
  }));
  // While watched, tmux runs the pane's hooks from the viewer's session: the supervisor
  // must still hear of the death at once, not at its next look (a minute later).
  std::string pane = PaneValue("a", "#{pane_pid}");
  ::kill(static_cast<pid_t>(std::stol(pane)), SIGKILL);
  EXPECT_TRUE(WaitFor(
      [&] {
        Drain(master);
        return sandbox_.Sessions(kSocket).count("a") == 1 &&
               PaneValue("a", "#{pane_pid}") != pane && PaneValue("a", "#{pane_dead}") == "0";
      },
      20))
      << "restarted within RestartSec, not after the supervisor's minute";
  ::kill(watcher, SIGTERM);
  (void)Sandbox::Wait(watcher);
  ::close(master);
  EXPECT_TRUE(Viewers().empty());
}

}  // namespace
}  // namespace mosaic::integration
