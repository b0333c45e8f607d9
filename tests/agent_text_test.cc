// What `agent send` and `agent reset` type: checked, composed and expanded without a pane.
#include "agent_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

using testing::HasSubstr;

TEST(AgentText, AnyPrintableTextIsKeptAsWritten) {
  std::string text = "quotes \" ' $(rm -rf ~) `id` ${HOME} ; | & \\ é 日本 🙂\n\tindented";
  Result<std::string> pasted = PasteableText(text, "the message");
  ASSERT_TRUE(pasted.ok()) << pasted.status().message();
  EXPECT_EQ(pasted.value(), text);
}

TEST(AgentText, LineEndingsBecomeNewlinesAndOneFinalNewlineIsTheSubmitsJob) {
  EXPECT_EQ(PasteableText("a\r\nb\rc\n", "m").value(), "a\nb\nc");
  EXPECT_EQ(PasteableText("a\n\n", "m").value(), "a\n");
}

TEST(AgentText, ControlCharactersAreRefusedWithWhereTheyAre) {
  // ESC [201~ would end a bracketed paste early; what followed would be typed as keys.
  Result<std::string> escape = PasteableText("ok\x1b[201~rm -rf /\n", "the message");
  ASSERT_FALSE(escape.ok());
  EXPECT_THAT(escape.status().message(), HasSubstr("U+001B at byte 3"));
  EXPECT_FALSE(PasteableText("stop\x03", "m").ok()) << "^C";
  EXPECT_FALSE(PasteableText("del\x7f", "m").ok());
  EXPECT_FALSE(PasteableText("csi\xc2\x9b", "m").ok()) << "C1 control U+009B";
  Result<std::string> binary = PasteableText("bad \xff byte", "the message");
  ASSERT_FALSE(binary.ok());
  EXPECT_THAT(binary.status().message(), HasSubstr("not UTF-8"));
}

TEST(AgentText, EmptyAndOversizedMessagesAreRefused) {
  EXPECT_THAT(PasteableText(" \n\t\n", "the message").status().message(), HasSubstr("empty"));
  EXPECT_THAT(
      PasteableText(std::string(kMaxMessageBytes + 1, 'x'), "the message").status().message(),
      HasSubstr("at most"));
  EXPECT_TRUE(PasteableText(std::string(kMaxMessageBytes, 'x'), "m").ok());
}

TEST(AgentText, TheMessageCarriesItsSender) {
  EXPECT_EQ(ComposeMessage("operator@h1", "hi\nthere").value(), "[from operator@h1] hi\nthere");
  EXPECT_FALSE(ComposeMessage("", "hi").ok());
  EXPECT_THAT(ComposeMessage("two\nlines", "hi").status().message(), HasSubstr("--from"));
}

TEST(AgentText, KickstartPlaceholdersAreFilled) {
  Result<std::string> text = ExpandKickstart(
      "You are {{name}} ({{ class }}) on {{model}}; {{runtime}}.\n{not} {{name}}", "k.md",
      {{"name", "coder0"}, {"class", "implementer"}, {"model", "M"}, {"runtime", "claude"}});
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(text.value(), "You are coder0 (implementer) on M; claude.\n{not} coder0");
}

TEST(AgentText, AnUnknownOrUnclosedPlaceholderIsALocatedError) {
  Result<std::string> typo = ExpandKickstart("line one\n  {{nmae}}", "/k.md", {{"name", "x"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(),
              HasSubstr("/k.md:2:3: error: unknown placeholder '{{nmae}}'"));
  EXPECT_THAT(typo.status().message(), HasSubstr("{{name}}"));
  Result<std::string> open = ExpandKickstart("a {{name\n}}", "k.md", {{"name", "x"}});
  ASSERT_FALSE(open.ok());
  EXPECT_THAT(open.status().message(), HasSubstr("k.md:1:3: error: '{{' without a closing '}}'"));
}

}  // namespace
}  // namespace mosaic
