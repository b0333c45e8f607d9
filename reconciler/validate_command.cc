#include "validate_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "json_text.h"
#include "roster_loader.h"

namespace mosaic {

namespace {

constexpr char kStdinName[] = "<stdin>";

// Every *.yaml and *.yml file under `directory`, sorted; hidden directories (.git) and links
// to directories are not followed.
void CollectRosters(const std::string& directory, FileSystem& fs, int depth,
                    std::vector<std::string>& out) {
  if (depth > 32) return;  // a symlink loop
  for (const std::string& name : fs.ListDirectory(directory)) {
    if (name.starts_with(".")) continue;
    std::string path = fmt::format("{}/{}", directory, name);
    std::optional<FileInfo> info = fs.Stat(path);
    if (info && info->is_symlink && fs.IsDirectory(path)) continue;  // never a loop (l -> .)
    if (fs.IsDirectory(path))
      CollectRosters(path, fs, depth + 1, out);
    else if (name.ends_with(".yaml") || name.ends_with(".yml"))
      out.push_back(path);
  }
}

// The files to check: the default roster, or each named one, a directory's rosters, or
// stdin for "-".
Result<std::vector<std::string>> Inputs(const ValidateOptions& options,
                                        const Result<std::string>& default_roster, FileSystem& fs) {
  if (options.files.empty()) {
    if (!default_roster.ok()) return default_roster.status();
    return std::vector<std::string>{default_roster.value()};
  }
  std::vector<std::string> files;
  for (const std::string& named : options.files) {
    if (named == "-") {
      files.push_back(kStdinName);
    } else if (fs.IsDirectory(named)) {
      std::vector<std::string> found;
      CollectRosters(named.ends_with("/") ? named.substr(0, named.size() - 1) : named, fs, 0,
                     found);
      if (found.empty())
        return Status::Error(
            fmt::format("{}: no *.yaml or *.yml file under this directory", named));
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(named);
    }
  }
  return files;
}

Result<std::string> ReadInput(const std::string& file, FileSystem& fs, Io& io) {
  if (file != kStdinName) return fs.ReadFile(file, YamlLimits{}.max_bytes);
  if (io.in == nullptr) return Status::Error("-: there is no standard input to read");
  std::string text(YamlLimits{}.max_bytes + 1, '\0');
  io.in->read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(io.in->gcount()));
  if (text.size() > YamlLimits{}.max_bytes)
    return Status::Error(fmt::format("-: larger than {} bytes", YamlLimits{}.max_bytes));
  return text;
}

}  // namespace

int RunValidate(const ValidateOptions& options, const Result<std::string>& default_roster,
                FileSystem& fs, Io& io) {
  Result<std::vector<std::string>> inputs = Inputs(options, default_roster, fs);
  if (!inputs.ok()) {
    io.err << "error: " << inputs.status().message()
           << (options.files.empty() ? " (or name the roster files)" : "") << "\n";
    return kExitError;
  }
  const std::vector<std::string>& files = inputs.value();
  nlohmann::json report = {{"format_version", 1}, {"files", nlohmann::json::array()}};
  bool all_valid = true;
  for (const std::string& file : files) {
    Result<std::string> text = ReadInput(file, fs, io);
    RosterLoad load;
    if (text.ok()) {
      load = ParseRoster(text.value(), file);
    } else {
      load.diagnostics.push_back({Severity::kError, file, {}, "", text.status().message()});
    }
    bool valid = load.roster.has_value();
    all_valid = all_valid && valid;
    size_t agents = valid ? load.roster->agents.size() : 0;
    size_t errors = 0;
    for (const Diagnostic& d : load.diagnostics) errors += d.severity == Severity::kError;

    if (options.format == "json") {
      nlohmann::json entry = {
          {"file", file}, {"valid", valid}, {"diagnostics", nlohmann::json::array()}};
      if (valid) entry["agents"] = agents;
      for (const Diagnostic& d : load.diagnostics)
        entry["diagnostics"].push_back(DiagnosticToJson(d));
      report["files"].push_back(entry);
    } else if (options.format == "github") {
      for (const Diagnostic& d : load.diagnostics) io.out << FormatDiagnosticGithub(d) << "\n";
    } else {
      std::string_view source = text.ok() ? std::string_view(text.value()) : std::string_view();
      for (const Diagnostic& d : load.diagnostics)
        io.err << FormatDiagnosticText(d, source, io.err_color);
      if (!text.ok() && options.files.empty() && !fs.Stat(file))
        io.err << "hint: create one with `mosaic-fleet init --profile minimal --write`, or name "
                  "the roster files\n";
      if (valid)
        io.out << fmt::format("{}: valid ({} agent{})\n", file, agents, agents == 1 ? "" : "s");
      else
        io.out << fmt::format("{}: invalid ({} error{})\n", file, errors, errors == 1 ? "" : "s");
    }
  }
  if (options.format == "json") {
    report["valid"] = all_valid;
    io.out << JsonText(report, 2) << "\n";
  }
  return all_valid ? kExitSuccess : kExitError;
}

Command AddValidateCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check roster files against the schema; exit 0 when all are valid, 1 otherwise.");
  cmd->add_option("FILE", options->files,
                  "Roster files; a directory means every *.yaml and *.yml under it, '-' reads "
                  "stdin (default: " +
                      ctx.roster_help + ")");
  cmd->add_option("--format", options->format,
                  "text (default), json, or github (Actions annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}));
  cmd->footer(
      "\nErrors read FILE:LINE:COL: error: PATH: MESSAGE and are all reported, sorted by "
      "position.\nNeeds neither tmux nor systemd: safe in any CI container.\n"
      "\nExit status: 0 when every roster is valid; 1 when one is not, or cannot be read.\n"
      "\nExamples:\n"
      "  mosaic-fleet validate                          the default roster\n"
      "  mosaic-fleet validate rosters/                 every roster under a directory\n"
      "  mosaic-fleet validate --format github a.yaml   annotations on a pull request\n"
      "  git show HEAD:roster.yaml | mosaic-fleet validate -\n");
  return {cmd, [options, &ctx] {
            return RunValidate(*options, DefaultRoster(ctx.system.environment()),
                               ctx.system.files(), ctx.io);
          }};
}

}  // namespace mosaic
