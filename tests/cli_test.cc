// The CLI as users and CI see it: exit codes, formats, and what init may and may not write.
#include "cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "real_system.h"
#include "temp_dir.h"
#include "unit_binary.h"
#include "unit_files.h"

namespace mosaic {
namespace {

using testing::HasSubstr;
using testing::StartsWith;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Cli(const std::vector<std::string>& args, const Environment& env,
           const std::string& input = "") {
  std::ostringstream out, err;
  std::istringstream in(input);
  Io io{out, err, false, false, &in};
  RealSystem system(env);
  int code = RunCli("mosaic-fleet", args, system, io);
  return {code, out.str(), err.str()};
}

class CliTest : public testing::Test {
 protected:
  Environment Env() const {
    Environment env;
    env.home = home_.path();
    env.hostname = "testhost";
    return env;
  }
  std::string Fixture(const std::string& relative) const {
    return std::string(MOSAIC_FIXTURES_DIR) + "/" + relative;
  }
  TempDir home_;
};

TEST_F(CliTest, ValidateExitsZeroForValidRosters) {
  CliRun r =
      Cli({"validate", Fixture("profiles/minimal.yaml"), Fixture("profiles/software-factory.yaml")},
          Env());
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("software-factory.yaml: valid (10 agents)"));
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, ValidateExitsOneAndLocatesTheError) {
  CliRun r = Cli({"validate", Fixture("rosters/invalid/name-colon.yaml")}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith(Fixture("rosters/invalid/name-colon.yaml") +
                                ":3:11: error: agents[0].name:"));
  EXPECT_THAT(r.err, HasSubstr("  - name: coder:0\n      |           ^"));
}

TEST_F(CliTest, ValidateFailsWhenAnyOfSeveralFilesIsInvalid) {
  CliRun r = Cli(
      {"validate", Fixture("profiles/minimal.yaml"), Fixture("rosters/invalid/empty.yaml")}, Env());
  EXPECT_EQ(r.code, 1);
}

TEST_F(CliTest, ValidateDefaultsToTheRosterUnderXdgConfigHome) {
  CliRun missing = Cli({"validate"}, Env());
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err,
              HasSubstr(home_.path() + "/.config/mosaic/fleet/roster.yaml: No such file"));
  home_.Write(".config/mosaic/fleet/roster.yaml", "version: 1\nagents: []\n");
  EXPECT_EQ(Cli({"validate"}, Env()).code, 0);
}

TEST_F(CliTest, MosaicHomeOverridesTheRosterLocation) {
  Environment env = Env();
  env.mosaic_home = home_ / "elsewhere";
  home_.Write("elsewhere/fleet/roster.yaml", "version: 1\nagents: []\n");
  EXPECT_EQ(Cli({"validate"}, env).code, 0);
}

TEST_F(CliTest, ValidateJsonIsMachineReadable) {
  CliRun r = Cli({"validate", "--format", "json", Fixture("rosters/invalid/bool-yes.yaml")}, Env());
  EXPECT_EQ(r.code, 1);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["files"][0]["diagnostics"][0]["line"], 5);
  EXPECT_EQ(j["files"][0]["diagnostics"][0]["column"], 26);
}

TEST_F(CliTest, ValidateJsonOfAFileNameThatIsNotUtf8IsAWholeDocument) {
  // A file name is bytes; JSON is UTF-8. A plain dump() threw here, and the CLI aborted.
  std::string name = home_.path() + "/caf\xe9.yaml";
  home_.Write("caf\xe9.yaml", "version: 1\nagents: []\n");
  CliRun r = Cli({"validate", "--format", "json", name}, Env());
  EXPECT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["files"][0]["file"], home_.path() + "/caf\uFFFD.yaml");
}

TEST_F(CliTest, ValidateGithubEmitsWorkflowAnnotations) {
  CliRun r =
      Cli({"validate", "--format", "github", Fixture("rosters/invalid/name-colon.yaml")}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, StartsWith("::error file="));
  EXPECT_THAT(r.out, HasSubstr(",line=3,col=11::agents[0].name: "));
}

TEST_F(CliTest, UnknownFormatIsAUsageError) {
  CliRun r = Cli({"validate", "--format", "xml"}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("xml"));
  EXPECT_THAT(r.err, StartsWith("error: ")) << "said like every other error";
  CliRun range = Cli({"apply", "--allow-destroy", "-1"}, Env());
  EXPECT_EQ(range.code, 1);
  EXPECT_THAT(range.err, StartsWith("error: --allow-destroy: Value -1 not in range 0 to "));
  EXPECT_LT(range.err.size(), 120u) << "no 300-digit maximum";
}

TEST_F(CliTest, InitPrintsAValidProfile) {
  CliRun r = Cli({"init", "--profile", "software-factory"}, Env());
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("name: mos-claude"));
}

TEST_F(CliTest, InitWritesOnceAndNeverOverwritesWithoutForce) {
  CliRun first = Cli({"init", "--profile", "minimal", "--write"}, Env());
  ASSERT_EQ(first.code, 0) << first.err;
  std::string roster = ".config/mosaic/fleet/roster.yaml";
  EXPECT_THAT(home_.Read(roster), HasSubstr("canary-pi"));
  EXPECT_EQ(Cli({"validate"}, Env()).code, 0);

  home_.Write(roster, "# my edits\nversion: 1\nagents: []\n");
  CliRun again = Cli({"init", "--profile", "software-factory", "--write"}, Env());
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_EQ(home_.Read(roster), "# my edits\nversion: 1\nagents: []\n");

  CliRun forced = Cli({"init", "--profile", "software-factory", "--write", "--force"}, Env());
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_THAT(home_.Read(roster), HasSubstr("mos-claude"));
  // The hand-edited roster is kept, byte for byte, and the output says where.
  std::string dir = home_ / ".config/mosaic/fleet";
  std::vector<std::string> backups;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("roster.yaml.bak-"))
      backups.push_back(entry.path().string());
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_THAT(backups[0], testing::MatchesRegex(".*/roster.yaml.bak-[0-9]{8}-[0-9]{6}"));
  EXPECT_EQ(home_.Read(backups[0].substr(home_.path().size() + 1)),
            "# my edits\nversion: 1\nagents: []\n");
  EXPECT_THAT(forced.out, HasSubstr("kept the previous roster as " + backups[0]));
  // Twice in the same second: a second backup, not the first one overwritten.
  ASSERT_EQ(Cli({"init", "--profile", "minimal", "--write", "--force"}, Env()).code, 0);
  ASSERT_EQ(Cli({"init", "--profile", "minimal", "--write", "--force"}, Env()).code, 0);
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    count += entry.path().filename().string().starts_with("roster.yaml.bak-");
  EXPECT_EQ(count, 3u);
}

TEST_F(CliTest, SchemaPrintsTheShippedJsonSchema) {
  CliRun r = Cli({"schema"}, Env());
  EXPECT_EQ(r.code, 0);
  nlohmann::json schema = nlohmann::json::parse(r.out);
  EXPECT_EQ(schema["$schema"], "http://json-schema.org/draft-07/schema#");
  EXPECT_TRUE(schema["properties"].contains("agents"));
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (std::string command : {"validate", "init", "schema"}) {
    CliRun r = Cli({command, "--help"}, Env());
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr("Usage")) << command;
  }
  CliRun top = Cli({"--help"}, Env());
  EXPECT_THAT(top.out, HasSubstr("EXAMPLES"));
}

TEST_F(CliTest, UnitCommandsRefuseUnsafeNamesBeforeRunningTmux) {
  CliRun holder = Cli({"holder", "start", "--socket", "s", "--session", "#(reboot)"}, Env());
  EXPECT_EQ(holder.code, 1);
  EXPECT_THAT(holder.err, HasSubstr("may not contain '#'"));
  CliRun socket = Cli({"holder", "stop", "--socket", "default"}, Env());
  EXPECT_EQ(socket.code, 1);
  EXPECT_THAT(socket.err, HasSubstr("default tmux server"));
  CliRun stop = Cli({"session", "stop", "a:1"}, Env());
  EXPECT_EQ(stop.code, 1);
  EXPECT_THAT(stop.err, HasSubstr("may not contain ':'"));
}

TEST_F(CliTest, TargetTakesOneNameSoAPlanFileIsNotSwallowed) {
  // `--target a plan.json`: the file is the saved plan, not a second target. Refused (a saved
  // plan keeps its own targets) before anything is observed.
  CliRun r = Cli({"apply", "--target", "a", "/nonexistent/saved.plan"}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot change a saved plan"));
}

TEST_F(CliTest, EveryCommandHasVersion) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--version"},
                                        {"plan", "--version"},
                                        {"session", "start", "--version"}}) {
    CliRun r = Cli(args, Env());
    EXPECT_EQ(r.code, 0) << args[0];
    EXPECT_THAT(r.out, StartsWith("mosaic-fleet ")) << args[0];
  }
}

TEST_F(CliTest, UnknownCommandSuggestsTheClosest) {
  CliRun r = Cli({"aplly", "--yes"}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'aplly' (did you mean 'apply'?)"));
}

TEST_F(CliTest, NoCommandIsAnErrorThatSaysWhatToDo) {
  CliRun r = Cli({}, Env());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--help"));
}

TEST_F(CliTest, WithoutHomeFleetCommandsRefuseInsteadOfGuessingPaths) {
  // Under cron, `env -i` or a system service HOME may be unset: the tool used to plan unit
  // files under /.config/systemd/user and blank working directories.
  Environment env = Env();
  env.home = "";
  for (std::vector<std::string> args : {std::vector<std::string>{"plan"},
                                        {"apply", "--yes"},
                                        {"status"},
                                        {"validate"},
                                        {"session", "start", "a"},
                                        {"init", "--write"}}) {
    CliRun r = Cli(args, env);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("HOME is not set")) << args[0];
  }
  env.home = "relative/home";
  EXPECT_THAT(Cli({"plan"}, env).err, HasSubstr("HOME=relative/home is not an absolute path"));
  // What needs no paths still works.
  env.home = "";
  EXPECT_EQ(Cli({"validate", Fixture("profiles/minimal.yaml")}, env).code, 0);
  EXPECT_EQ(Cli({"init"}, env).code, 0);
}

TEST_F(CliTest, ValidateRefusesWhatIsNotARegularFile) {
  // `validate /dev/zero` ran out of memory; a FIFO blocked forever.
  ASSERT_EQ(::mkfifo((home_ / "fifo").c_str(), 0600), 0);
  for (std::string file : {std::string("/dev/zero"), home_ / "fifo"}) {
    CliRun r = Cli({"validate", file}, Env());
    EXPECT_EQ(r.code, 1) << file;
    EXPECT_THAT(r.err, HasSubstr("not a regular file")) << file;
  }
  CliRun plan = Cli({"plan", "--roster", "/dev/zero"}, Env());
  EXPECT_EQ(plan.code, 1);
  EXPECT_THAT(plan.err, HasSubstr("it is a device, not a regular file"));
}

TEST_F(CliTest, RelativeConfigDirectoriesAreRefused) {
  Environment env = Env();
  env.xdg_config_home = "cfg";
  EXPECT_THAT(Cli({"plan"}, env).err, HasSubstr("XDG_CONFIG_HOME=cfg is not an absolute path"));
  env = Env();
  env.mosaic_home = "m";
  EXPECT_THAT(Cli({"validate"}, env).err, HasSubstr("MOSAIC_HOME=m is not an absolute path"));
}

TEST_F(CliTest, ThePreviousToolsVerbsMapOrSayWhatReplacedThem) {
  CliRun ps = Cli({"ps", "--help"}, Env());
  EXPECT_EQ(ps.code, 0);
  EXPECT_THAT(ps.out, HasSubstr("one row per agent")) << "ps is status";
  for (std::string verb : {"install", "install-systemd"}) {
    CliRun r = Cli({verb, "--some-old-flag"}, Env());
    EXPECT_EQ(r.code, 1) << verb;
    EXPECT_THAT(r.err,
                HasSubstr("'mosaic-fleet " + verb + "' is replaced by 'mosaic-fleet apply'"));
    EXPECT_THAT(r.err, HasSubstr("apply --yes"));
  }
}

TEST_F(CliTest, AgentVerbsExplainThemselvesAndRefuseWhatTheyCannotDo) {
  home_.Write(".config/mosaic/fleet/roster.yaml",
              "version: 1\ntmux: {socket_name: clitest}\nagents:\n  - {name: a, runtime: claude}\n"
              "  - {name: far, runtime: pi, host: elsewhere}\n"
              "  - {name: remote, runtime: pi, host: elsewhere, ssh: op@elsewhere}\n");
  CliRun help = Cli({"agent", "send", "--help"}, Env());
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("Exit status: 0 delivered"));
  EXPECT_THAT(help.out, HasSubstr("does not show that the agent understood"))
      << "--verify states its limits";
  CliRun no_text = Cli({"agent", "send", "a"}, Env());
  EXPECT_EQ(no_text.code, 1);
  EXPECT_THAT(no_text.err, HasSubstr("--file"));
  home_.Write("message.txt", "hello\n");
  CliRun both = Cli({"agent", "send", "a", "-m", "x", "--file", home_ / "message.txt"}, Env());
  EXPECT_EQ(both.code, 1);
  EXPECT_THAT(both.err, HasSubstr("excludes"));
  CliRun unknown = Cli({"agent", "tail", "nope"}, Env());
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("'nope': no agent of that name"));
  CliRun far = Cli({"agent", "send", "far", "-m", "hi"}, Env());
  EXPECT_EQ(far.code, 1);
  EXPECT_THAT(far.err, HasSubstr("far is managed on elsewhere, not here"));
  // Run over ssh already (--forwarded), an agent this host's roster places elsewhere is an
  // error, never another hop: two hosts whose rosters disagree cannot ssh to each other forever.
  CliRun hop = Cli({"agent", "send", "remote", "-m", "hi", "--forwarded"}, Env());
  EXPECT_EQ(hop.code, 1);
  EXPECT_THAT(hop.err, HasSubstr("remote is managed on elsewhere, not here"));
  CliRun control = Cli({"agent", "send", "a", "-m", "x\x1b[201~"}, Env());
  EXPECT_EQ(control.code, 1);
  EXPECT_THAT(control.err, HasSubstr("control character U+001B"));
  for (std::string bad : {"nan", "1e308", "inf", "-1", "0"}) {
    CliRun r = Cli({"agent", "send", "a", "-m", "x", "--verify-timeout", bad}, Env());
    EXPECT_EQ(r.code, 1) << bad;
    EXPECT_THAT(r.err, HasSubstr("is not a number of seconds from 0.1 to 3600")) << bad;
  }
  CliRun tab = Cli({"agent", "send", "a", "-m", "x", "--from", "a\tb"}, Env());
  EXPECT_EQ(tab.code, 1);
  EXPECT_THAT(tab.err, HasSubstr("--from: the label contains the control character U+0009"));
}

TEST_F(CliTest, AgentRosterShowsTheRosterAsUnderstoodWithUserValuesHidden) {
  home_.Write(".config/mosaic/fleet/roster.yaml",
              "version: 1\ntmux: {socket_name: clitest}\n"
              "runtimes: {claude: {reset_command: /clear}}\n"
              "agents:\n  - {name: a, runtime: claude, class: coder, model_hint: Opus}\n"
              "  - {name: b, runtime: pi}\n  - {name: far, runtime: pi, host: elsewhere}\n");
  home_.Write(".config/mosaic/fleet/agents/b.env",
              "MOSAIC_AGENT_NAME=b\nMOSAIC_AGENT_COMMAND=secret-launcher --token s3cr3t\n"
              "API_KEY=hunter2\n");
  CliRun text = Cli({"agent", "roster"}, Env());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("mosaic-agent@a.service"));
  EXPECT_THAT(text.out, HasSubstr("=a on tmux -L clitest"));
  EXPECT_THAT(text.out, HasSubstr("mosaic yolo claude --model Opus"));
  EXPECT_THAT(text.out, HasSubstr("reset      /clear"));
  EXPECT_THAT(text.out, HasSubstr("restart (the runtime has no reset_command)"));
  EXPECT_THAT(text.out, HasSubstr("far  (pi) on host elsewhere: managed there, not here"));
  EXPECT_THAT(text.out, HasSubstr("MOSAIC_AGENT_COMMAND from the env file"));
  EXPECT_THAT(text.out, testing::Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(text.out, testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(text.out, HasSubstr("API_KEY"));

  CliRun json = Cli({"agent", "roster", "--json"}, Env());
  ASSERT_EQ(json.code, 0) << json.err;
  nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["socket"], "clitest");
  ASSERT_EQ(doc["agents"].size(), 3u);
  EXPECT_EQ(doc["agents"][0]["unit"], "mosaic-agent@a.service");
  EXPECT_EQ(doc["agents"][0]["reset_command"], "/clear");
  EXPECT_EQ(doc["agents"][0]["host"], "testhost");
  EXPECT_TRUE(doc["agents"][1]["launch_command"].is_null());
  EXPECT_EQ(doc["agents"][2]["here"], false);
  EXPECT_EQ(json.out.find("hunter2"), std::string::npos);
}

TEST_F(CliTest, UnitsThatRunThisProgramThroughALinkKeepTheLink) {
  // /proc/self/exe names the link's target; the units keep the link an upgrade re-points.
  RealSystem system(Env());
  const std::string self = system.SelfExecutable();
  const std::string link = home_ / "bin/mosaic-fleet";
  std::filesystem::create_directories(home_ / "bin");
  std::filesystem::create_symlink(self, link);
  const std::string unit_dir = home_ / "units";
  home_.Write("units/mosaic-tmux-holder.service",
              RenderHolderUnit({link, "s", "_h", "/m", "/m/fleet/agents", "/c"}));
  std::ostringstream warnings;
  Result<UnitBinary> kept = ChooseUnitBinary("", unit_dir, system, warnings);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept.value().path, link);
  // A holder unit edited by hand is not trusted to say which binary the units run.
  home_.Write("units/mosaic-tmux-holder.service",
              RenderHolderUnit({link, "s", "_h", "/m", "/m/fleet/agents", "/c"}) + "Nice=5\n");
  Result<UnitBinary> edited = ChooseUnitBinary("", unit_dir, system, warnings);
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited.value().path, self);
}

TEST_F(CliTest, EveryCommandThatWritesOrComparesUnitFilesTakesTheBinaryTheyRun) {
  // The same choice everywhere, or verify and status would call plan's units edited.
  for (const char* command : {"plan", "apply", "status", "verify", "start", "stop", "restart"})
    EXPECT_THAT(Cli({command, "--help"}, Env()).out, HasSubstr("--binary FILE")) << command;
  for (const char* command : {"validate", "init"})
    EXPECT_THAT(Cli({command, "--help"}, Env()).out, testing::Not(HasSubstr("--binary")))
        << command;
  EXPECT_THAT(Cli({"agent", "tail", "--help"}, Env()).out, testing::Not(HasSubstr("--binary")));
}

TEST_F(CliTest, AgentRosterNamesListsThisHostsAgentsForScriptsAndCompletion) {
  home_.Write(".config/mosaic/fleet/roster.yaml",
              "version: 1\ntmux: {socket_name: clitest}\nagents:\n  - {name: a, runtime: pi}\n"
              "  - {name: far, runtime: pi, host: elsewhere}\n  - {name: b, runtime: pi}\n");
  CliRun names = Cli({"agent", "roster", "--names"}, Env());
  EXPECT_EQ(names.code, 0) << names.err;
  EXPECT_EQ(names.out, "a\nb\n");
  EXPECT_EQ(Cli({"agent", "roster", "--names", "--json"}, Env()).code, 1);
}

// Every command, as `help --list` names them.
std::vector<std::string> CommandPaths(const Environment& env) {
  CliRun list = Cli({"help", "--list"}, env);
  EXPECT_EQ(list.code, 0);
  std::vector<std::string> paths;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) paths.push_back(line);
  return paths;
}

std::vector<std::string> Words(const std::string& path) {
  std::vector<std::string> words;
  std::istringstream in(path);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

TEST_F(CliTest, EveryCommandTeachesItsExitStatusAndExamplesAndNoneBorrowsAnother) {
  const std::string top_examples = Cli({"--help"}, Env()).out;
  ASSERT_THAT(top_examples, HasSubstr("EXAMPLES:"));
  std::vector<std::string> paths = CommandPaths(Env());
  ASSERT_GE(paths.size(), 25u);
  for (const char* path : {"plan", "apply", "agent send", "session start", "holder stop"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), path), paths.end()) << path;
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "install"), paths.end());
  for (const std::string& path : paths) {
    std::vector<std::string> args = Words(path);
    args.push_back("--help");
    CliRun help = Cli(args, Env());
    EXPECT_EQ(help.code, 0) << path;
    EXPECT_THAT(help.out, HasSubstr("Usage: mosaic-fleet " + path)) << path;
    EXPECT_THAT(help.out, testing::ContainsRegex("\nExamples?:\n  ")) << path;
    // The top-level footer is for the top level only (CLI11 copies it into every command
    // added after it is set).
    EXPECT_THAT(help.out, testing::Not(HasSubstr("EXAMPLES:"))) << path;
    bool group = help.out.find("Subcommands:") != std::string::npos;
    if (!group) {
      EXPECT_THAT(help.out, HasSubstr("\nExit status: ")) << path;
    }
    // `help PATH` is the same text.
    std::vector<std::string> help_args = Words(path);
    help_args.insert(help_args.begin(), "help");
    EXPECT_EQ(Cli(help_args, Env()).out, help.out) << path;
  }
  EXPECT_EQ(Cli({"help"}, Env()).out, top_examples);  // the top level's, not help's own
  EXPECT_THAT(top_examples, HasSubstr("\nExit status: 0 success"));
  CliRun apply = Cli({"apply", "--help"}, Env());
  EXPECT_THAT(apply.out, HasSubstr("Exit status: 0 done"));
  EXPECT_THAT(apply.out, HasSubstr("--target NAME "));
  EXPECT_THAT(apply.out, HasSubstr("(repeat --target for more)"));
  CliRun unknown = Cli({"help", "agent", "nope"}, Env());
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no command 'agent nope'"));
}

TEST_F(CliTest, CompletionScriptsCoverEveryCommandInEachShell) {
  std::vector<std::string> paths = CommandPaths(Env());
  for (std::string shell : {"bash", "zsh", "fish"}) {
    CliRun script = Cli({"completion", shell}, Env());
    ASSERT_EQ(script.code, 0) << shell;
    for (const std::string& path : paths) {
      std::string last = path.substr(path.rfind(' ') + 1);
      std::string parent = path.size() > last.size() ? path.substr(0, path.rfind(' ')) : "";
      // Each command is a child of its parent in the script's own table.
      EXPECT_THAT(script.out, HasSubstr("'" + parent + "|" + last + "'")) << shell << ": " << path;
    }
    EXPECT_THAT(script.out, HasSubstr("'|ps'")) << shell;
    EXPECT_THAT(script.out, testing::Not(HasSubstr("install-systemd"))) << shell;
  }
  EXPECT_EQ(Cli({"completion", "tcsh"}, Env()).code, 1);
}

TEST_F(CliTest, ValidateReadsADirectoryOfRostersOrStdinAndHintsAtInit) {
  home_.Write("rosters/a.yaml", "version: 1\nagents: []\n");
  home_.Write("rosters/team/b.yml", "version: 1\nagents:\n  - {name: x, runtime: pi}\n");
  home_.Write("rosters/.git/c.yaml", "not: [a roster\n");
  home_.Write("rosters/notes.txt", "not a roster\n");
  std::filesystem::create_directory_symlink(".", home_ / "rosters/loop");  // never followed
  CliRun dir = Cli({"validate", home_ / "rosters"}, Env());
  EXPECT_EQ(dir.code, 0) << dir.err;
  EXPECT_EQ(std::count(dir.out.begin(), dir.out.end(), '\n'), 2) << dir.out;
  EXPECT_THAT(dir.out, HasSubstr("rosters/a.yaml: valid (0 agents)"));
  EXPECT_THAT(dir.out, HasSubstr("rosters/team/b.yml: valid (1 agent)"));
  EXPECT_THAT(dir.out, testing::Not(HasSubstr(".git")));
  home_.Write("empty/readme.md", "");
  CliRun empty = Cli({"validate", home_ / "empty"}, Env());
  EXPECT_EQ(empty.code, 1);
  EXPECT_THAT(empty.err, HasSubstr("no *.yaml or *.yml file"));

  CliRun piped =
      Cli({"validate", "-"}, Env(), "version: 1\nagents:\n  - {name: 'a:b', runtime: pi}\n");
  EXPECT_EQ(piped.code, 1);
  EXPECT_THAT(piped.err, HasSubstr("<stdin>:3:"));
  EXPECT_EQ(Cli({"validate", "-"}, Env(), "version: 1\nagents: []\n").code, 0);

  CliRun missing = Cli({"validate"}, Env());
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("hint: create one with `mosaic-fleet init"));
}

}  // namespace
}  // namespace mosaic
