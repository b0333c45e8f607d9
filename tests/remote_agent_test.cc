// SshCommandLine: what reaches the remote shell is each word of the verb exactly.
#include "remote_agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

namespace mosaic {
namespace {

using testing::ElementsAre;

TEST(SshCommandLine, OptionsBeforeTheTargetAndEveryRemoteWordQuoted) {
  AgentSpec agent{.name = "b", .host = "build-2", .ssh = "op@host"};
  std::vector<std::string> argv = SshCommandLine(
      "ssh -F /x/config", agent, {"send", "b", "-m", "-", "--from", "a b;$(id)'\n", ""});
  ASSERT_EQ(argv.size(), 15u);
  EXPECT_THAT(
      std::vector<std::string>(argv.begin(), argv.begin() + 14),
      ElementsAre("ssh", "-F", "/x/config", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                  "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "--", "op@host"));
  // A POSIX shell reads the remote command back as the words it was made of.
  std::string script = "for w in " + argv.back() + "; do printf '[%s]' \"$w\"; done";
  std::string quoted_script;
  for (char c : script) quoted_script += c == '\'' ? std::string("'\\''") : std::string(1, c);
  FILE* shell = ::popen(("sh -c '" + quoted_script + "'").c_str(), "r");
  ASSERT_NE(shell, nullptr);
  std::string out;
  for (int c; (c = std::fgetc(shell)) != EOF;) out += static_cast<char>(c);
  ::pclose(shell);
  // The remote acts as the agent's host and never forwards again.
  EXPECT_EQ(out,
            "[mosaic-fleet][agent][send][b][-m][-][--from][a b;$(id)'\n][][--host][build-2]"
            "[--forwarded]");
  EXPECT_EQ(SshCommandLine("", agent, {"tail", "b"}).front(), "ssh");
}

}  // namespace
}  // namespace mosaic
