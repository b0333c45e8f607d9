// AgentPane against a real tmux server on a private socket: what `agent send`, `reset`,
// `tail` and `watch` do to a pane, byte for byte, and to nothing else.
#include "agent_pane.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "fleet_contract.h"
#include "temp_dir.h"

namespace mosaic {
namespace {

using testing::HasSubstr;

bool WaitFor(const std::function<bool()>& condition, double seconds = 5) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class AgentPaneTest : public testing::Test {
 protected:
  AgentPaneTest()
      : tmux_(Tmux::ForSocket("fleet", runner_, {dir_ / "sock", std::chrono::seconds(5)}).value()) {
    // `a` and its prefix sibling `a0`, each writing what it reads to a file.
    for (std::string name : {"a", "a0"}) {
      EXPECT_EQ(Raw({"new-session", "-d", "-s", name, "--", "sh", "-c",
                     "exec cat > " + (dir_ / name) + ".txt"})
                    .exit_code,
                0);
      Raw({"set-option", "-t", "=" + name + ":", "@mosaic-owner", kOwnerAgent});
    }
  }
  ~AgentPaneTest() override { (void)Raw({"kill-server"}); }

  ProcessResult Raw(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-S", dir_ / "sock"});
    return runner_.Run({args, {"TMUX"}, std::chrono::seconds(5)}).value();
  }
  std::string Value(const std::string& target, const std::string& format) {
    std::string out = Raw({"display-message", "-p", "-t", target, format}).out;
    return out.substr(0, out.find('\n'));
  }

  TempDir dir_;
  RealProcessRunner runner_;
  Tmux tmux_;
};

TEST_F(AgentPaneTest, PastesAnyTextIntactIntoExactlyThatPaneAndLeavesNoBuffer) {
  std::string text =
      "[from operator@h] quotes \"double\" 'single' $(touch pwned) `touch pwned2` ${HOME} ; "
      "&& | \\ é 日本語 🙂\n\tindented\n";
  for (int line = 0; line < 64; ++line)
    text += std::string(63, static_cast<char>('a' + line % 26)) + "\n";
  text += "last line;";
  ASSERT_GE(text.size(), 4096u);
  AgentPane pane(tmux_, "a");
  ASSERT_TRUE(pane.Paste(text, "mosaic-send-test").ok());
  ASSERT_TRUE(pane.PressEnter().ok());
  ASSERT_TRUE(WaitFor([&] { return dir_.Read("a.txt").size() >= text.size() + 1; }))
      << dir_.Read("a.txt").size();
  EXPECT_EQ(dir_.Read("a.txt"), text + "\n");
  EXPECT_EQ(dir_.Read("a0.txt"), "") << "the prefix sibling got nothing";
  EXPECT_EQ(Raw({"list-buffers"}).out, "") << "the buffer is deleted by the paste";
  EXPECT_FALSE(std::ifstream(dir_ / "pwned").good());
}

TEST_F(AgentPaneTest, AFailedPasteLeavesNoBufferBehind) {
  AgentPane gone(tmux_, "gone");
  Status pasted = gone.Paste("secret", "mosaic-send-test");
  EXPECT_FALSE(pasted.ok());
  EXPECT_EQ(Raw({"list-buffers"}).out, "");
}

TEST_F(AgentPaneTest, TypesKeysLiterallyEvenWithASeparatorAtTheEnd) {
  AgentPane pane(tmux_, "a");
  ASSERT_TRUE(pane.Type("/clear;").ok());
  ASSERT_TRUE(pane.PressEnter().ok());
  ASSERT_TRUE(pane.Type("-n Enter").ok()) << "a leading dash is text, not an option";
  ASSERT_TRUE(pane.PressEnter().ok());
  ASSERT_TRUE(WaitFor([&] { return dir_.Read("a.txt") == "/clear;\n-n Enter\n"; }))
      << dir_.Read("a.txt");
}

TEST_F(AgentPaneTest, InspectTellsAliveFromDeadAndNamesWhatIsMissing) {
  Result<PaneState> alive = AgentPane(tmux_, "a").Inspect();
  ASSERT_TRUE(alive.ok()) << alive.status().message();
  EXPECT_FALSE(alive.value().session.dead);
  EXPECT_EQ(alive.value().session.owner, kOwnerAgent);
  EXPECT_GT(alive.value().session.pane_pid, 0);

  Raw({"new-session", "-d", "-s", "d", "--", "sh", "-c", "sleep 0.2; exit 3"});
  Raw({"set-option", "-t", "=d:", "remain-on-exit", "on"});
  AgentPane dead(tmux_, "d");
  ASSERT_TRUE(WaitFor([&] {
    Result<PaneState> s = dead.Inspect();
    // Debian's tmux 3.3a can miss a pane's SIGCHLD (libutempter): wake it, as the supervisor
    // does (System::WakeReaper).
    ::kill(static_cast<pid_t>(std::stol(Value("=a:", "#{pid}"))), SIGCHLD);
    return s.ok() && s.value().session.dead && s.value().session.dead_status == 3;
  }));
  EXPECT_EQ(dead.Inspect().value().session.owner, "") << "not the tool's";

  Result<PaneState> missing = AgentPane(tmux_, "gone").Inspect();
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no session gone"));
  Raw({"kill-server"});
  Result<PaneState> no_server = AgentPane(tmux_, "a").Inspect();
  ASSERT_FALSE(no_server.ok());
  EXPECT_THAT(no_server.status().message(), HasSubstr("no tmux server"));
}

TEST_F(AgentPaneTest, ReadsTheLastLinesWithScrollbackAndRowsByNumber) {
  Raw({"new-session", "-d", "-s", "n", "-x", "80", "-y", "10", "--", "sh", "-c",
       "seq 1 100; exec sleep 100"});
  AgentPane pane(tmux_, "n");
  ASSERT_TRUE(WaitFor([&] {
    Result<std::vector<std::string>> rows = pane.LastLines(3);
    return rows.ok() && !rows.value().empty() && rows.value().back() == "100";
  }));
  EXPECT_THAT(pane.LastLines(3).value(), testing::ElementsAre("98", "99", "100"));
  EXPECT_EQ(pane.LastLines(40).value().front(), "61") << "scrollback included";
  PaneSnapshot snap = pane.Snapshot(5).value();
  EXPECT_EQ(snap.state.history_size + snap.state.cursor_y, 100) << "rows above the cursor";
  EXPECT_EQ(snap.scrollback, 5);
  ASSERT_EQ(snap.rows.size(), 15u) << "5 of scrollback and the 10-row screen";
  size_t cursor = static_cast<size_t>(snap.scrollback + snap.state.cursor_y);
  EXPECT_EQ(snap.rows[cursor - 1], "100");
  EXPECT_EQ(snap.rows[0], std::to_string(100 - cursor + 1));
  EXPECT_EQ(snap.state.server_pid, std::stol(Value("=n:", "#{pid}")));
}

TEST_F(AgentPaneTest, ViewersShareTheWindowPinItsSizeAndOnlyViewersAreRemoved) {
  Raw({"set-option", "-w", "-t", "=a:", "window-size", "largest"});
  AgentPane pane(tmux_, "a");
  ASSERT_TRUE(pane.OpenViewer("v1").ok());
  ASSERT_TRUE(pane.OpenViewer("v2").ok());
  EXPECT_EQ(Value("=v1:", "#{@mosaic-owner} #{session_group} #{window_id}"),
            std::string(kOwnerViewer) + " a " + Value("=a:", "#{window_id}"))
      << "the same window, not a copy";
  EXPECT_EQ(Value("=a:", "#{window-size}"), "manual");

  ASSERT_TRUE(pane.CloseViewer("v1").ok());
  EXPECT_NE(Raw({"has-session", "-t", "=v1"}).exit_code, 0);
  EXPECT_EQ(Value("=a:", "#{window-size}"), "manual") << "v2 still looks";
  ASSERT_TRUE(pane.CloseViewer("v2").ok());
  EXPECT_EQ(Value("=a:", "#{window-size}"), "largest") << "its own setting back";
  EXPECT_EQ(Value("=a:", "#{@mosaic-window-size}"), "");

  EXPECT_TRUE(pane.CloseViewer("v2").ok()) << "gone already is done";
  EXPECT_TRUE(pane.CloseViewer("a0").ok());
  EXPECT_EQ(Raw({"has-session", "-t", "=a0"}).exit_code, 0) << "not a viewer: never killed";
}

TEST_F(AgentPaneTest, KillingAnAgentsSessionEndsItsViewersAndItsProgram) {
  AgentPane pane(tmux_, "a");
  ASSERT_TRUE(pane.OpenViewer("v1").ok());
  std::string program = Value("=a:", "#{pane_pid}");
  ASSERT_TRUE(tmux_.KillOwnedSession("a").ok());
  EXPECT_NE(Raw({"has-session", "-t", "=v1"}).exit_code, 0) << "the viewer went with it";
  EXPECT_NE(Raw({"has-session", "-t", "=a"}).exit_code, 0);
  // Nothing links the window any more: the agent's program got its SIGHUP at once.
  EXPECT_TRUE(WaitFor([&] {
    std::ifstream stat("/proc/" + program + "/stat");
    std::string pid, command, state;
    return !(stat >> pid >> command >> state) || state == "Z";  // gone, or dead and unreaped
  }));
  EXPECT_EQ(Raw({"has-session", "-t", "=a0"}).exit_code, 0) << "the sibling stays";
}

TEST(ProcessRunnerInput, FeedsStdinAndSurvivesAProgramThatDoesNotReadIt) {
  RealProcessRunner runner;
  ProcessRequest cat{{"cat"}, {}, std::chrono::seconds(10)};
  cat.input = "line one\nsecond é\n";
  EXPECT_EQ(runner.Run(cat).value().out, "line one\nsecond é\n");

  ProcessRequest count{{"wc", "-c"}, {}, std::chrono::seconds(10)};
  count.input = std::string(3u << 20, 'x');  // more than any pipe or socket buffer holds
  EXPECT_EQ(runner.Run(count).value().out, "3145728\n");

  ProcessRequest ignores{{"true"}, {}, std::chrono::seconds(10)};
  ignores.input = std::string(3u << 20, 'x');
  Result<ProcessResult> r = runner.Run(ignores);  // a SIGPIPE would end this test binary
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().exit_code, 0);
  EXPECT_FALSE(r.value().timed_out);

  ProcessRequest none{{"cat"}, {}, std::chrono::seconds(10)};
  EXPECT_EQ(runner.Run(none).value().out, "") << "without input, stdin is /dev/null";
}

}  // namespace
}  // namespace mosaic
