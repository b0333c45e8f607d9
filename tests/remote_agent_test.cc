// SshCommandLine: what reaches the remote shell is each word of the verb exactly.
#include "remote_agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

namespace mosaic {
namespace {

using testing::ElementsAre;

TEST(SshCommandLine, OptionsBeforeTheTargetAndEveryRemoteWordQuoted) {
  std::vector<std::string> argv =
      SshCommandLine("ssh -F /x/config", "op@host", {"send", "b", "--from", "a b;$(id)'"});
  ASSERT_EQ(argv.size(), 11u);
  EXPECT_THAT(std::vector<std::string>(argv.begin(), argv.begin() + 10),
              ElementsAre("ssh", "-F", "/x/config", "-T", "-o", "BatchMode=yes", "-o",
                          "ConnectTimeout=10", "--", "op@host"));
  // A POSIX shell reads the remote command back as the words it was made of.
  std::string script = "for w in " + argv.back() + "; do printf '[%s]' \"$w\"; done";
  std::string quoted_script;
  for (char c : script) quoted_script += c == '\'' ? std::string("'\\''") : std::string(1, c);
  FILE* shell = ::popen(("sh -c '" + quoted_script + "'").c_str(), "r");
  ASSERT_NE(shell, nullptr);
  std::string out;
  for (int c; (c = std::fgetc(shell)) != EOF;) out += static_cast<char>(c);
  ::pclose(shell);
  EXPECT_EQ(out, "[mosaic-fleet][agent][send][b][--from][a b;$(id)']");
  EXPECT_EQ(SshCommandLine("", "h", {"tail", "b"}).front(), "ssh");
}

}  // namespace
}  // namespace mosaic
