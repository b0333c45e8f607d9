// StatusView: a StatusReport shown to its reader — a table for people, JSON for programs.
#pragma once

#include <memory>

#include "io.h"
#include "status_report.h"

namespace mosaic {

/// The version of `status --json` (docs/status-json.md): raised when a field changes meaning
/// or goes away, never for a new field.
inline constexpr int kStatusJsonVersion = 1;

class StatusView {
 public:
  virtual ~StatusView() = default;
  /// `exit_code`: what the command exits with, stated in both views.
  virtual void Show(const StatusReport& report, int exit_code) = 0;
};

/// The JSON view when `json`, else the table.
std::unique_ptr<StatusView> MakeStatusView(bool json, Io& io);

}  // namespace mosaic
