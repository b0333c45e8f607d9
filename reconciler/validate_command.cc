#include "validate_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "roster_loader.h"

namespace mosaic {

int RunValidate(const ValidateOptions& options, const Result<std::string>& default_roster,
                FileSystem& fs, Io& io) {
  if (options.files.empty() && !default_roster.ok()) {
    io.err << "error: " << default_roster.status().message() << " (or name the roster files)\n";
    return kExitError;
  }
  std::vector<std::string> files =
      options.files.empty() ? std::vector<std::string>{default_roster.value()} : options.files;
  nlohmann::json report = {{"format_version", 1}, {"files", nlohmann::json::array()}};
  bool all_valid = true;
  for (const std::string& file : files) {
    Result<std::string> text = fs.ReadFile(file, YamlLimits{}.max_bytes);
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
      if (valid)
        io.out << fmt::format("{}: valid ({} agent{})\n", file, agents, agents == 1 ? "" : "s");
      else
        io.out << fmt::format("{}: invalid ({} error{})\n", file, errors, errors == 1 ? "" : "s");
    }
  }
  if (options.format == "json") {
    report["valid"] = all_valid;
    io.out << report.dump(2) << "\n";
  }
  return all_valid ? kExitSuccess : kExitError;
}

Command AddValidateCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check roster files against the schema; exit 0 when all are valid, 1 otherwise.");
  cmd->add_option("files", options->files, "Roster files (default: " + ctx.roster_help + ")");
  cmd->add_option("--format", options->format,
                  "text (default), json, or github (Actions annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}));
  cmd->footer(
      "\nErrors read FILE:LINE:COL: error: PATH: MESSAGE and are all reported, sorted by "
      "position.\nNeeds neither tmux nor systemd: safe in any CI container.");
  return {cmd, [options, &ctx] {
            return RunValidate(*options, DefaultRoster(ctx.system.environment()),
                               ctx.system.files(), ctx.io);
          }};
}

}  // namespace mosaic
