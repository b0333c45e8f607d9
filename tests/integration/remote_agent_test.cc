// Reaching an agent on another host over ssh: alpha's `agent send|tail|status` for beta's agent
// run `mosaic-fleet agent …` on beta through a real sshd on the loopback address, with a key
// made for the test (BatchMode: never a prompt). The message travels on stdin and arrives
// byte for byte; an unreachable host is a clear error.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "two_hosts_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr char kRoster[] =
    "version: 1\n"
    "tmux: {socket_name: itest}\n"
    "reconcile: {interval: 1h}\n"
    "agents:\n"
    "  - {name: a, runtime: claude, host: alpha}\n"
    "  - {name: b, runtime: pi, host: beta, ssh: root@beta-ssh}\n";

// A port nobody listens on now (the kernel's choice).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

class RemoteAgent : public TwoHosts {
 protected:
  void SetUp() override {
    TwoHosts::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!std::filesystem::exists("/usr/sbin/sshd")) {
      if (std::getenv("MOSAIC_REQUIRE_INTEGRATION")) FAIL() << "no sshd (scripts/deps installs it)";
      GTEST_SKIP() << "no sshd";
    }
    dir_ = sandbox_.root() + "/ssh";
    std::filesystem::create_directories(dir_);
    std::filesystem::create_directories("/run/sshd");  // sshd's privilege separation directory
    for (const char* key : {"host_key", "client_key"})
      ASSERT_EQ(
          sandbox_.Exec({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir_ + "/" + key})
              .code,
          0);
    // beta's mosaic-fleet, in beta's environment: as a login on beta would have it.
    std::filesystem::create_symlink(MOSAIC_FLEET_BINARY, beta_.root() + "/bin/mosaic-fleet");
    std::string environment;
    for (const auto& [key, value] : beta_.Env())
      environment += "environment=\"" + key + "=" + value + "\",";
    sandbox_.WriteFile(dir_ + "/authorized_keys",
                       environment + "no-pty " + sandbox_.ReadFile(dir_ + "/client_key.pub"));
    port_ = FreePort();
    sandbox_.WriteFile(dir_ + "/sshd_config",
                       "Port " + std::to_string(port_) + "\nListenAddress 127.0.0.1\nHostKey " +
                           dir_ + "/host_key\nAuthorizedKeysFile " + dir_ +
                           "/authorized_keys\nPermitRootLogin prohibit-password\n"
                           "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                           "PermitUserEnvironment yes\nStrictModes no\nUsePAM no\nPidFile " +
                           dir_ + "/sshd.pid\n");
    sandbox_.WriteFile(dir_ + "/known_hosts", "[127.0.0.1]:" + std::to_string(port_) + " " +
                                                  sandbox_.ReadFile(dir_ + "/host_key.pub"));
    sandbox_.WriteFile(dir_ + "/ssh_config", "Host beta-ssh\n  HostName 127.0.0.1\n  Port " +
                                                 std::to_string(port_) + "\n  IdentityFile " +
                                                 dir_ +
                                                 "/client_key\n  IdentitiesOnly yes\n"
                                                 "  UserKnownHostsFile " +
                                                 dir_ +
                                                 "/known_hosts\n"
                                                 "  StrictHostKeyChecking yes\n");
    RunResult sshd = sandbox_.Exec({"/usr/sbin/sshd", "-f", dir_ + "/sshd_config"});
    ASSERT_EQ(sshd.code, 0) << sshd.err;
    ASSERT_TRUE(WaitFor([&] { return sandbox_.Exists(dir_ + "/sshd.pid"); }));
    sshd_ = std::stoi(sandbox_.ReadFile(dir_ + "/sshd.pid"));
  }

  void TearDown() override {
    if (sshd_ > 0) ::kill(sshd_, SIGTERM);
    TwoHosts::TearDown();
  }

  // alpha's mosaic-fleet, with the ssh command that knows the test's host.
  RunResult Alpha(std::vector<std::string> args) {
    args.insert(args.end(), {"--host", "alpha"});
    return sandbox_.Fleet(args, {}, {{"MOSAIC_FLEET_SSH", "ssh -F " + dir_ + "/ssh_config"}});
  }

  std::string BetaPane(const std::string& name) {
    return beta_.Tmux(kSocket, {"capture-pane", "-p", "-t", "=" + name + ":"}).out;
  }

  std::string dir_;
  int port_ = 0;
  pid_t sshd_ = 0;
};

TEST_F(RemoteAgent, SendTailAndStatusOfAnotherHostsAgentRunThereOverSsh) {
  Share(kRoster);
  ASSERT_EQ(OnAlpha({"apply", "--yes"}).code, 0);
  RunResult beta = OnBeta({"apply", "--yes"});
  ASSERT_EQ(beta.code, 0) << beta.out << beta.err;

  // Words a remote shell would split, expand or run, and a second line: byte for byte.
  const std::string message = "hi 'there' \"$(touch /tmp/mosaic-pwned)\" `id` ; $HOME *\nline 2";
  RunResult sent = Alpha({"agent", "send", "b", "-m", message, "--from", "alpha-op"});
  ASSERT_EQ(sent.code, 0) << sent.out << sent.err;
  EXPECT_TRUE(WaitFor([&] {
    return BetaPane("b").find("$(touch /tmp/mosaic-pwned)\" `id` ; $HOME *") != std::string::npos;
  })) << BetaPane("b");
  EXPECT_THAT(BetaPane("b"), HasSubstr("[from alpha-op] hi 'there'"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/mosaic-pwned"));
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("b"), 0u);  // nothing of b was started here

  RunResult tail = Alpha({"agent", "tail", "b", "-n", "20"});
  EXPECT_EQ(tail.code, 0) << tail.err;
  EXPECT_THAT(tail.out, HasSubstr("stand-in agent: yolo pi"));
  RunResult status = Alpha({"agent", "status", "b", "--json"});
  EXPECT_EQ(status.code, 0) << status.out << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"name\": \"b\""));
  RunResult reset = Alpha({"agent", "reset", "b", "--clear", "--settle", "0.2"});
  EXPECT_EQ(reset.code, 0) << reset.out << reset.err;
  EXPECT_TRUE(WaitFor([&] { return BetaPane("b").find("/clear") != std::string::npos; }))
      << BetaPane("b");
  // One host at a time.
  EXPECT_EQ(Alpha({"agent", "status", "a", "b"}).code, 1);

  // Unreachable: said plainly, with ssh's reason, and quickly (BatchMode, no prompt).
  ::kill(sshd_, SIGTERM);
  sshd_ = 0;
  ASSERT_TRUE(WaitFor([&] { return Alpha({"agent", "tail", "b"}).code == 1; }));
  RunResult down = Alpha({"agent", "send", "b", "-m", "x"});
  EXPECT_EQ(down.code, 1);
  EXPECT_THAT(down.err, HasSubstr("agent b runs on host beta (root@beta-ssh over ssh), which "
                                  "could not be reached"));
  EXPECT_THAT(down.err, HasSubstr("Connection refused"));
}

}  // namespace
}  // namespace mosaic::integration
