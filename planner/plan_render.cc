#include "plan_render.h"

#include <fmt/format.h>

#include "utf8.h"

namespace mosaic {
namespace {

struct Palette {
  bool on;
  std::string operator()(ChangeAction action, std::string_view text) const {
    if (!on) return std::string(text);
    const char* code = "";
    switch (action) {
      case ChangeAction::kCreate:
        code = "\033[32m";
        break;
      case ChangeAction::kUpdate:
        code = "\033[33m";
        break;
      case ChangeAction::kReplace:
        code = "\033[35m";
        break;
      case ChangeAction::kDelete:
        code = "\033[31m";
        break;
    }
    return fmt::format("{}{}\033[0m", code, text);
  }
  std::string Bold(std::string_view text) const {
    return on ? fmt::format("\033[1m{}\033[0m", text) : std::string(text);
  }
};

std::string_view Verb(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate:
      return "will be created";
    case ChangeAction::kUpdate:
      return "will be updated in place";
    case ChangeAction::kReplace:
      return "must be replaced";
    case ChangeAction::kDelete:
      return "will be destroyed";
  }
  return "";
}

std::string AttributeLine(ChangeAction action, const AttributeDiff& diff, const Palette& paint) {
  // A value before is what a file on disk said (an env file edited by hand): printable only.
  AttributeDiff a{diff.name, PrintableText(diff.before), PrintableText(diff.after),
                  diff.forces_replacement};
  std::string suffix = a.forces_replacement ? "  # forces replacement" : "";
  bool unchanged = diff.before == diff.after;  // compared as they are, not as shown
  if (a.before.empty())
    return fmt::format("      {} {} = {}{}", paint(ChangeAction::kCreate, "+"), a.name, a.after,
                       suffix);
  if (a.after.empty() || action == ChangeAction::kDelete)
    return fmt::format("      {} {} = {}{}", paint(ChangeAction::kDelete, "-"), a.name, a.before,
                       suffix);
  if (unchanged) return fmt::format("        {} = {}", a.name, a.before);
  return fmt::format("      {} {} = {} -> {}{}", paint(ChangeAction::kUpdate, "~"), a.name,
                     a.before, a.after, suffix);
}

}  // namespace

std::string RenderPlanSummary(const Plan& plan) {
  std::string refusal;
  if (plan.has_errors()) {
    size_t n = 0;
    for (const Diagnostic& d : plan.errors) n += d.severity == Severity::kError;
    refusal = fmt::format(" Apply will change nothing until the {} error{} above {} fixed.", n,
                          n == 1 ? "" : "s", n == 1 ? "is" : "are");
  }
  if (plan.empty() && !plan.targets.empty() && !plan.has_errors())
    return "No changes for the targeted agents; the rest of the fleet was not checked.";
  if (plan.empty())
    return plan.has_errors() ? "No changes planned." + refusal
                             : "No changes. The fleet matches the roster.";
  PlanSummary s = Summarize(plan);
  std::string held =
      s.held ? fmt::format(" {} held: left pending by this run (see why above).", s.held) : "";
  return fmt::format("Plan: {} to add, {} to change, {} to replace, {} to destroy.{}{}", s.add,
                     s.change, s.replace, s.destroy, held, refusal);
}

std::string RenderPlanText(const Plan& plan, bool color) {
  Palette paint{color};
  std::string out;
  if (!plan.empty()) {
    out += "mosaic-fleet will perform the following actions:\n";
    // Drift first, in its own section: what changed outside mosaic-fleet is what an operator
    // most needs to see; then what editing the roster asks for.
    PlanSummary s = Summarize(plan);
    bool sections = s.drift > 0;
    for (bool drift : {true, false}) {
      int count = drift ? s.drift : static_cast<int>(plan.changes.size()) - s.drift;
      if (sections && count > 0)
        out += paint.Bold(drift ? "\nChanged outside mosaic-fleet (drift), to be corrected:\n"
                                : "\nChanges from the roster:\n");
      for (const ResourceChange& c : plan.changes) {
        if (c.drift != drift) continue;
        // A reason can quote what tmux said of a session (its runtime, its directory).
        std::string address = PrintableText(c.address);
        out += fmt::format("\n  # {} {}: {}\n", paint.Bold(address), Verb(c.action),
                           PrintableText(c.reason));
        if (!c.held.empty())
          out += fmt::format("  # HELD, not done in this run: {}\n", PrintableText(c.held));
        out += fmt::format("{:>3} {}\n", paint(c.action, ActionSymbol(c.action)), address);
        for (const AttributeDiff& a : c.attributes) out += AttributeLine(c.action, a, paint) + "\n";
        for (const std::string& line : c.diff) {
          ChangeAction tint = line[0] == '+'   ? ChangeAction::kCreate
                              : line[0] == '-' ? ChangeAction::kDelete
                                               : ChangeAction::kUpdate;
          // A line of a file as it is on disk, edited by anyone: never able to drive the
          // terminal.
          std::string shown = PrintableText(line);
          out += "          " + (line[0] == ' ' ? shown : paint(tint, shown)) + "\n";
        }
      }
    }
    out += "\n";
  }
  if (!plan.notes.empty()) {
    out += "Notes:\n";
    for (const Note& n : plan.notes)
      out += fmt::format("  - {}: {}\n", PrintableText(n.subject), PrintableText(n.message));
    out += "\n";
  }
  if (!plan.errors.empty()) {
    for (const Diagnostic& d : plan.errors) out += FormatDiagnosticText(d, "", color);
    out += "\n";
  }
  out += paint.Bold(RenderPlanSummary(plan)) + "\n";
  return out;
}

}  // namespace mosaic
