// Shell completion for bash, zsh and fish, generated from the CLI's own command definitions
// (CLI11's tree of commands and options), so that it never drifts from what the program
// accepts. Agent names come from the roster at completion time (`agent roster --names`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace mosaic {

/// What a value in a command line is, for completing it.
struct CompletionValue {
  enum class Kind { kNone, kAny, kFile, kAgent, kChoice };
  Kind kind = Kind::kNone;
  std::vector<std::string> choices;  ///< kChoice: the accepted values
  bool single = false;               ///< an operand taken once (one NAME), not repeated
};

struct CompletionOption {
  std::vector<std::string> spellings;  ///< "-m", "--message"
  std::string description;
  bool takes_value = false;
  CompletionValue value;
};

/// One command of the tree: the root (path ""), a group ("agent") or a verb ("agent send").
struct CompletionCommand {
  std::string path;                    ///< canonical: names joined by spaces
  std::vector<std::string> spellings;  ///< the path with every alias ("status", "ps")
  std::string description;
  std::vector<size_t> children;  ///< indices into the tree
  std::vector<CompletionOption> options;
  CompletionValue positional;  ///< what its operands are
};

/// The commands under `root` (the program's command model, which completion, `help --list`
/// and the man page are made from), the root first, parents before children. Commands in the
/// group `skip_group` (the previous tool's verbs) are left out. Options whose type name is
/// FILE complete files, NAME agent names; a CLI::IsMember check gives the choices.
std::vector<CompletionCommand> CommandTree(const CLI::App& root, std::string_view skip_group);

/// The completion script for `shell` ("bash", "zsh" or "fish") of `program`.
std::string CompletionScript(const std::vector<CompletionCommand>& tree, std::string_view shell,
                             std::string_view program);

}  // namespace mosaic
