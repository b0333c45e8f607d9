#include "completion.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <functional>

namespace mosaic {
namespace {

using Kind = CompletionValue::Kind;

// The first line of a help text, without its final period or "(default: …)": what a
// completion menu shows. A default names this machine's paths and host, and the scripts are
// made once, at build time, for every machine.
std::string Summary(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (size_t by_default = line.find(" (default: "); by_default != std::string::npos)
    line.resize(by_default);
  if (line.ends_with('.')) line.pop_back();
  return line;
}

// An option's type name, or an operand's name, says what a value is: FILE (PLANFILE) a file,
// NAME an agent; a CLI::IsMember check ("{a,b}") lists the choices.
CompletionValue ValueOf(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  size_t open = type.find('{');
  size_t close = type.find('}', open);
  if (open != std::string::npos && close != std::string::npos) {
    CompletionValue value{Kind::kChoice, {}};
    std::string list = type.substr(open + 1, close - open - 1);
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) value.choices.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    return value;
  }
  std::string base = option.get_positional() ? option.get_name() : type.substr(0, type.find(':'));
  if (base == "FILE" || base == "PLANFILE") return {Kind::kFile, {}};
  if (base == "NAME") return {Kind::kAgent, {}};
  return {Kind::kAny, {}};
}

std::vector<CompletionOption> OptionsOf(const CLI::App& command) {
  std::vector<CompletionOption> options;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_positional() || option->get_group().empty()) continue;  // hidden
    CompletionOption o;
    for (const std::string& s : option->get_snames()) o.spellings.push_back("-" + s);
    for (const std::string& l : option->get_lnames()) o.spellings.push_back("--" + l);
    if (o.spellings.empty()) continue;
    o.description = Summary(option->get_description());
    o.takes_value = option->get_type_size_max() > 0;
    if (o.takes_value) o.value = ValueOf(*option);
    options.push_back(std::move(o));
  }
  return options;
}

CompletionValue PositionalOf(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options())
    if (option->get_positional()) {
      CompletionValue value = ValueOf(*option);
      value.single = option->get_items_expected_max() == 1;
      return value;
    }
  return {};
}

// ---- bash and zsh share the data functions: plain POSIX `case`, which both shells run.

std::string ShellQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ValueWord(const CompletionValue& value) {
  switch (value.kind) {
    case Kind::kNone:
      return "";
    case Kind::kAny:
      return "any";
    case Kind::kFile:
      return "file";
    case Kind::kAgent:
      return "agent";
    case Kind::kChoice:
      return fmt::format("choice {}", fmt::join(value.choices, " "));
  }
  return "";
}

// A shell function of (path, word) or (path): one `case` arm per entry, each printing lines.
struct CaseArm {
  std::vector<std::string> patterns;
  std::vector<std::string> lines;
};

std::string PosixCaseFunction(std::string_view name, std::string_view comment,
                              std::string_view subject, const std::vector<CaseArm>& arms) {
  std::string out = fmt::format("# {}\n{}() {{\n  case \"{}\" in\n", comment, name, subject);
  for (const CaseArm& arm : arms) {
    if (arm.lines.empty()) continue;
    std::vector<std::string> quoted;
    for (const std::string& p : arm.patterns) quoted.push_back(ShellQuote(p));
    out += fmt::format("    {})\n", fmt::join(quoted, "|"));
    for (const std::string& line : arm.lines) out += fmt::format("      {}\n", line);
    out += "      ;;\n";
  }
  return out + "  esac\n}\n\n";
}

std::string Described(std::string_view name, std::string_view description) {
  return fmt::format("printf '%s\\t%s\\n' {} {}", ShellQuote(name), ShellQuote(description));
}

std::string PosixDataFunctions(const std::vector<CompletionCommand>& tree, std::string_view fn) {
  std::vector<CaseArm> children, commands, options, values, operands;
  for (const CompletionCommand& command : tree) {
    CaseArm listed{{command.path}, {}};
    for (size_t index : command.children) {
      const CompletionCommand& child = tree[index];
      std::string name = child.path.substr(child.path.rfind(' ') + 1);
      CaseArm arm{{}, {"echo " + ShellQuote(name)}};
      for (const std::string& spelling : child.spellings) {
        std::string word = spelling.substr(spelling.rfind(' ') + 1);
        arm.patterns.push_back(command.path + "|" + word);
        listed.lines.push_back(Described(word, child.description));
      }
      children.push_back(std::move(arm));
    }
    commands.push_back(std::move(listed));
    CaseArm described{{command.path}, {}};
    for (const CompletionOption& option : command.options)
      for (const std::string& spelling : option.spellings) {
        described.lines.push_back(Described(spelling, option.description));
        if (option.takes_value)
          values.push_back(
              {{command.path + "|" + spelling}, {"echo " + ShellQuote(ValueWord(option.value))}});
      }
    options.push_back(std::move(described));
    if (command.positional.kind != Kind::kNone)
      operands.push_back({{command.path},
                          {fmt::format("echo {} {}", command.positional.single ? 1 : 0,
                                       ShellQuote(ValueWord(command.positional)))}});
  }
  std::string out;
  out += PosixCaseFunction(fmt::format("{}_child", fn),
                           "CHILD PATH WORD: the command WORD names under the command PATH",
                           "$1|$2", children);
  out +=
      PosixCaseFunction(fmt::format("{}_commands", fn),
                        "PATH: the commands under PATH, each NAME<tab>DESCRIPTION", "$1", commands);
  out +=
      PosixCaseFunction(fmt::format("{}_options", fn),
                        "PATH: the options of PATH, each SPELLING<tab>DESCRIPTION", "$1", options);
  out += PosixCaseFunction(fmt::format("{}_value", fn),
                           "PATH OPTION: what OPTION's value is (file, agent, any, choice A B); "
                           "nothing for a flag",
                           "$1|$2", values);
  out += PosixCaseFunction(fmt::format("{}_operand", fn),
                           "PATH: how many operands PATH takes (0: any number), and what they are",
                           "$1", operands);
  return out;
}

// Walks the words before the cursor: sets `at` (the command path), `operands` (how many the
// command has) and `roster` (a --roster given, unquoted as the shell would), skipping option
// values. WORDS, FIRST/LAST and UNQUOTE differ between bash and zsh.
std::string PosixWalk(std::string_view fn, std::string_view word_at, int first,
                      std::string_view last, std::string_view unquote) {
  return fmt::format(
      "  local at='' roster='' word value child i max operands=0\n"
      "  for ((i = {first}; i < {last}; i++)); do\n"
      "    word={word}\n"
      "    if [[ $word == -* ]]; then\n"
      "      if [[ $word == *=* ]]; then\n"
      "        [[ $word == --roster=* ]] && roster=${{word#*=}}\n"
      "        continue\n"
      "      fi\n"
      "      value=$({fn}_value \"$at\" \"$word\")\n"
      "      if [[ -n $value ]] && ((i + 1 < {last})); then\n"
      "        ((i++))\n"
      "        # bash splits --option=value into three words.\n"
      "        [[ {word} == = ]] && ((i + 1 < {last})) && ((i++))\n"
      "        [[ $word == --roster ]] && roster={word}\n"
      "      fi\n"
      "      continue\n"
      "    fi\n"
      "    child=$({fn}_child \"$at\" \"$word\")\n"
      "    if [[ -n $child ]]; then at=${{at:+$at }}$child; operands=0; else ((operands++)); fi\n"
      "  done\n"
      "{unquote}"
      "  roster=${{roster/#\\~/$HOME}}\n",
      fmt::arg("fn", fn), fmt::arg("first", first), fmt::arg("last", last),
      fmt::arg("word", word_at), fmt::arg("unquote", unquote));
}

std::string Header(std::string_view shell, std::string_view program) {
  return fmt::format(
      "# {0} completion for {1}. Generated by `{1} completion {0}` from the program's own\n"
      "# command definitions: regenerate it after an upgrade rather than edit it. Agent names\n"
      "# are read from the roster (`{1} agent roster --names`) as you type.\n",
      shell, program);
}

std::string Identifier(std::string_view program) {
  std::string id = "_";
  for (char c : program) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

std::string BashScript(const std::vector<CompletionCommand>& tree, std::string_view program) {
  const std::string fn = Identifier(program);
  return Header("bash", program) + "\n" + PosixDataFunctions(tree, fn) +
         fmt::format(
             "# KIND CUR ROSTER: adds the values of KIND that start with CUR to COMPREPLY.\n"
             "{fn}_complete_value() {{\n"
             "  local kind=$1 cur=$2 roster=$3\n"
             "  case $kind in\n"
             "    file)\n"
             "      compopt -o filenames 2>/dev/null\n"
             "      mapfile -t -O \"${{#COMPREPLY[@]}}\" COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
             "    agent)\n"
             "      mapfile -t -O \"${{#COMPREPLY[@]}}\" COMPREPLY < <(compgen -W "
             "\"$(\"${{COMP_WORDS[0]}}\" "
             "agent roster --names ${{roster:+--roster \"$roster\"}} 2>/dev/null)\" -- \"$cur\") "
             ";;\n"
             "    choice\\ *)\n"
             "      mapfile -t -O \"${{#COMPREPLY[@]}}\" COMPREPLY < <(compgen -W \"${{kind#choice "
             "}}\" -- "
             "\"$cur\") ;;\n"
             "  esac\n"
             "}}\n\n"
             "{fn}() {{\n"
             "  COMPREPLY=()\n"
             "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} opt=''\n"
             "{walk}"
             "  # bash splits --option=value at the '='.\n"
             "  if [[ $cur == = ]]; then opt=$prev; cur=''\n"
             "  elif [[ $prev == = ]]; then opt=${{COMP_WORDS[COMP_CWORD-2]}}\n"
             "  elif [[ $prev == -* ]]; then opt=$prev; fi\n"
             "  if [[ -n $opt ]]; then\n"
             "    value=$({fn}_value \"$at\" \"$opt\")\n"
             "    if [[ -n $value ]]; then {fn}_complete_value \"$value\" \"$cur\" \"$roster\"; "
             "return 0; fi\n"
             "  fi\n"
             "  if [[ $cur == -* ]]; then\n"
             "    mapfile -t COMPREPLY < <(compgen -W \"$({fn}_options \"$at\" | cut -f1)\" -- "
             "\"$cur\")\n"
             "    return 0\n"
             "  fi\n"
             "  mapfile -t COMPREPLY < <(compgen -W \"$({fn}_commands \"$at\" | cut -f1)\" -- "
             "\"$cur\")\n"
             "  read -r max value <<<\"$({fn}_operand \"$at\")\"\n"
             "  [[ -n $value ]] && ((max == 0 || operands < max)) &&\n"
             "    {fn}_complete_value \"$value\" \"$cur\" \"$roster\"\n"
             "  return 0\n"
             "}}\n\n"
             "complete -F {fn} {program}\n",
             fmt::arg("fn", fn), fmt::arg("program", program),
             fmt::arg("walk", PosixWalk(fn, "${COMP_WORDS[i]}", 1, "COMP_CWORD",
                                        "  # The word as typed: \"a b\", 'a b' or a\\ b.\n"
                                        "  roster=${roster#[\\\"\\']}; roster=${roster%[\\\"\\']}; "
                                        "roster=${roster//\\\\ / }\n")));
}

std::string ZshScript(const std::vector<CompletionCommand>& tree, std::string_view program) {
  const std::string fn = Identifier(program);
  return fmt::format("#compdef {}\n", program) + Header("zsh", program) + "\n" +
         PosixDataFunctions(tree, fn) +
         fmt::format(
             "# KIND ROSTER: offers the values of KIND.\n"
             "{fn}_complete_value() {{\n"
             "  local kind=$1 roster=$2\n"
             "  case $kind in\n"
             "    file) _files ;;\n"
             "    agent) compadd -- ${{(f)\"$(${{words[1]}} agent roster --names "
             "${{roster:+--roster}} "
             "${{roster:+$roster}} 2>/dev/null)\"}} ;;\n"
             "    choice\\ *) compadd -- ${{=kind#choice }} ;;\n"
             "  esac\n"
             "}}\n\n"
             "# LINES: offers each NAME<tab>DESCRIPTION line, described.\n"
             "{fn}_described() {{\n"
             "  local -a names shown\n"
             "  local line\n"
             "  for line in ${{(f)1}}; do\n"
             "    names+=(\"${{line%%$'\\t'*}}\")\n"
             "    shown+=(\"${{line%%$'\\t'*}}  -- ${{line#*$'\\t'}}\")\n"
             "  done\n"
             "  (( ${{#names}} )) && compadd -l -d shown -a names\n"
             "}}\n\n"
             "{fn}() {{\n"
             "  local cur=${{words[CURRENT]}} prev=${{words[CURRENT-1]}}\n"
             "{walk}"
             "  if [[ $prev == -* ]]; then\n"
             "    value=$({fn}_value \"$at\" \"$prev\")\n"
             "    if [[ -n $value ]]; then {fn}_complete_value \"$value\" \"$roster\"; return 0; "
             "fi\n"
             "  fi\n"
             "  if [[ $cur == -* ]]; then\n"
             "    {fn}_described \"$({fn}_options \"$at\")\"\n"
             "    return 0\n"
             "  fi\n"
             "  {fn}_described \"$({fn}_commands \"$at\")\"\n"
             "  read -r max value <<<\"$({fn}_operand \"$at\")\"\n"
             "  [[ -n $value ]] && ((max == 0 || operands < max)) &&\n"
             "    {fn}_complete_value \"$value\" \"$roster\"\n"
             "  return 0\n"
             "}}\n\n"
             "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
             "  {fn} \"$@\"\n"
             "else\n"
             "  compdef {fn} {program}\n"
             "fi\n",
             fmt::arg("fn", fn), fmt::arg("program", program),
             fmt::arg("walk", PosixWalk(fn, "${words[i]}", 2, "CURRENT",
                                        "  roster=${(Q)roster}  # the word as typed, unquoted\n")));
}

// ---- fish

std::string FishQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string FishSwitch(std::string_view name, std::string_view comment, std::string_view args,
                       std::string_view subject, const std::vector<CaseArm>& arms) {
  std::string out = fmt::format("# {}\nfunction {} --argument-names {}\n    switch {}\n", comment,
                                name, args, subject);
  for (const CaseArm& arm : arms) {
    std::vector<std::string> quoted;
    for (const std::string& p : arm.patterns) quoted.push_back(FishQuote(p));
    out += fmt::format("        case {}\n", fmt::join(quoted, " "));
    for (const std::string& line : arm.lines) out += fmt::format("            {}\n", line);
  }
  return out + "    end\nend\n\n";
}

// The candidates of a value: files, the roster's agents, or fixed choices.
std::string FishCandidates(const CompletionValue& value, std::string_view fn) {
  switch (value.kind) {
    case Kind::kFile:
      return " -F";
    case Kind::kAgent:
      return fmt::format(" -a '({}_agents)'", fn);
    case Kind::kChoice:
      return " -a " + FishQuote(fmt::format("{}", fmt::join(value.choices, " ")));
    case Kind::kNone:
    case Kind::kAny:
      return "";
  }
  return "";
}

// An option's value: -r (required), and -x (no files) unless it is a file.
std::string FishValueArgs(const CompletionValue& value, std::string_view fn) {
  if (value.kind == Kind::kNone) return "";
  return (value.kind == Kind::kFile ? " -r" : " -x") + FishCandidates(value, fn);
}

std::string FishScript(const std::vector<CompletionCommand>& tree, std::string_view program) {
  const std::string fn = Identifier(program);
  std::vector<CaseArm> children, values;
  std::string completions;
  for (const CompletionCommand& command : tree) {
    std::string is =
        fmt::format("{}_is {}", fn, command.path.empty() ? "''" : "'" + command.path + "'");
    for (size_t index : command.children) {
      const CompletionCommand& child = tree[index];
      std::string name = child.path.substr(child.path.rfind(' ') + 1);
      CaseArm arm{{}, {"echo " + FishQuote(name)}};
      for (const std::string& spelling : child.spellings) {
        std::string word = spelling.substr(spelling.rfind(' ') + 1);
        arm.patterns.push_back(command.path + "|" + word);
        completions += fmt::format("complete -c {} -n \"{}\" -a {} -d {}\n", program, is,
                                   FishQuote(word), FishQuote(child.description));
      }
      children.push_back(std::move(arm));
    }
    for (const CompletionOption& option : command.options) {
      std::string spellings;
      for (const std::string& s : option.spellings) {
        if (s.starts_with("--"))
          spellings += fmt::format(" -l {}", s.substr(2));
        else
          spellings += fmt::format(" -s {}", s.substr(1));
        if (option.takes_value) values.push_back({{command.path + "|" + s}, {"return 0"}});
      }
      completions += fmt::format("complete -c {} -n \"{}\"{}{} -d {}\n", program, is, spellings,
                                 FishValueArgs(option.value, fn), FishQuote(option.description));
    }
    std::string operands = FishCandidates(command.positional, fn);
    if (!operands.empty())
      completions += fmt::format("complete -c {} -n \"{}; and {}_wants_operand {}\"{}\n", program,
                                 is, fn, command.positional.single ? 1 : 0, operands);
  }
  values.push_back({{"*"}, {"return 1"}});
  return Header("fish", program) + "\n" +
         FishSwitch(fn + "_child", "PATH WORD: the command WORD names under the command PATH",
                    "at word", "\"$at|$word\"", children) +
         FishSwitch(fn + "_takes_value", "PATH OPTION: whether OPTION takes a value", "at opt",
                    "\"$at|$opt\"", values) +
         fmt::format(
             "# What the words before the cursor say: the command path (at), how many operands it\n"
             "# has (operands), or the roster given with --roster (roster).\n"
             "function {fn}_walk --argument-names want\n"
             "    set -l words (commandline -opc)\n"
             "    set -l at ''\n"
             "    set -l roster ''\n"
             "    set -l operands 0\n"
             "    set -l i 2\n"
             "    while test $i -le (count $words)\n"
             "        set -l word $words[$i]\n"
             "        if string match -q -- '--roster=*' $word\n"
             "            set roster (string replace -- '--roster=' '' $word)\n"
             "        else if string match -q -- '-*' $word\n"
             "            if not string match -q -- '*=*' $word; and {fn}_takes_value \"$at\" "
             "$word\n"
             "                set i (math $i + 1)\n"
             "                test \"$word\" = --roster; and set roster $words[$i]\n"
             "            end\n"
             "        else\n"
             "            set -l child ({fn}_child \"$at\" $word)\n"
             "            if test -n \"$child\"\n"
             "                set at (string trim -- \"$at $child\")\n"
             "                set operands 0\n"
             "            else\n"
             "                set operands (math $operands + 1)\n"
             "            end\n"
             "        end\n"
             "        set i (math $i + 1)\n"
             "    end\n"
             "    switch $want\n"
             "        case roster\n"
             "            string replace -r -- '^~' $HOME $roster\n"
             "        case operands\n"
             "            echo $operands\n"
             "        case '*'\n"
             "            echo $at\n"
             "    end\n"
             "end\n\n"
             "# Whether the command takes another operand: one at most for a single NAME.\n"
             "function {fn}_wants_operand --argument-names max\n"
             "    test $max -eq 0; or test ({fn}_walk operands) -lt $max\n"
             "end\n\n"
             "function {fn}_is --argument-names at\n"
             "    test \"$({fn}_walk at)\" = \"$at\"\n"
             "end\n\n"
             "function {fn}_agents\n"
             "    set -l roster ({fn}_walk roster)\n"
             "    set -l program (commandline -opc)[1]\n"
             "    if test -n \"$roster\"\n"
             "        $program agent roster --names --roster $roster 2>/dev/null\n"
             "    else\n"
             "        $program agent roster --names 2>/dev/null\n"
             "    end\n"
             "end\n\n"
             "complete -c {program} -f\n",
             fmt::arg("fn", fn), fmt::arg("program", program)) +
         completions;
}

}  // namespace

std::vector<CompletionCommand> CommandTree(const CLI::App& root, std::string_view skip_group) {
  std::vector<CompletionCommand> tree;
  std::function<size_t(const CLI::App&, const std::string&, const std::vector<std::string>&)> add =
      [&](const CLI::App& app, const std::string& path, const std::vector<std::string>& spellings) {
        size_t index = tree.size();
        tree.push_back({path,
                        spellings,
                        Summary(app.get_description()),
                        {},
                        OptionsOf(app),
                        PositionalOf(app)});
        for (const CLI::App* child : app.get_subcommands({})) {
          if (child->get_group().empty() || child->get_group() == skip_group) continue;
          std::vector<std::string> child_spellings{child->get_name()};
          for (const std::string& alias : child->get_aliases()) child_spellings.push_back(alias);
          if (!path.empty())
            for (std::string& spelling : child_spellings)
              spelling = fmt::format("{} {}", path, spelling);
          size_t child_index = add(*child, child_spellings.front(), child_spellings);
          tree[index].children.push_back(child_index);
        }
        return index;
      };
  add(root, "", {""});
  return tree;
}

std::string CompletionScript(const std::vector<CompletionCommand>& tree, std::string_view shell,
                             std::string_view program) {
  if (shell == "bash") return BashScript(tree, program);
  if (shell == "zsh") return ZshScript(tree, program);
  if (shell == "fish") return FishScript(tree, program);
  return "";
}

}  // namespace mosaic
