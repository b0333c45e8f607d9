#include "plan.h"

namespace mosaic {

bool Plan::has_held() const {
  for (const ResourceChange& c : changes)
    if (!c.held.empty()) return true;
  return false;
}

PlanSummary Summarize(const Plan& plan) {
  PlanSummary s;
  for (const ResourceChange& c : plan.changes) {
    s.held += !c.held.empty();
    s.drift += c.drift;
    switch (c.action) {
      case ChangeAction::kCreate:
        s.add++;
        break;
      case ChangeAction::kUpdate:
        s.change++;
        break;
      case ChangeAction::kReplace:
        s.replace++;
        break;
      case ChangeAction::kDelete:
        s.destroy++;
        break;
    }
  }
  return s;
}

std::string_view ActionName(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate:
      return "create";
    case ChangeAction::kUpdate:
      return "update";
    case ChangeAction::kReplace:
      return "replace";
    case ChangeAction::kDelete:
      return "delete";
  }
  return "?";
}

std::string_view ActionSymbol(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreate:
      return "+";
    case ChangeAction::kUpdate:
      return "~";
    case ChangeAction::kReplace:
      return "-/+";
    case ChangeAction::kDelete:
      return "-";
  }
  return "?";
}

std::string_view StepName(StepKind kind) {
  switch (kind) {
    case StepKind::kWriteFile:
      return "write-file";
    case StepKind::kMergeEnvFile:
      return "merge-env-file";
    case StepKind::kRemoveFile:
      return "remove-file";
    case StepKind::kDaemonReload:
      return "daemon-reload";
    case StepKind::kEnableUnits:
      return "enable";
    case StepKind::kStartUnits:
      return "start";
    case StepKind::kRestartUnits:
      return "restart";
    case StepKind::kStopUnits:
      return "stop";
    case StepKind::kDisableUnits:
      return "disable";
    case StepKind::kKillSessions:
      return "kill-sessions";
    case StepKind::kAdoptSessions:
      return "adopt-sessions";
    case StepKind::kRecordSockets:
      return "record-sockets";
    case StepKind::kDetachServer:
      return "detach-server";
    case StepKind::kRetireSocket:
      return "retire-socket";
  }
  return "?";
}

std::string_view NoteKindName(NoteKind kind) {
  switch (kind) {
    case NoteKind::kTargeted:
      return "targeted";
    case NoteKind::kManagedElsewhere:
      return "managed-elsewhere";
    case NoteKind::kUnmanagedSession:
      return "unmanaged-session";
    case NoteKind::kNameConflict:
      return "name-conflict";
    case NoteKind::kPreservedData:
      return "preserved-data";
    case NoteKind::kStaleHeartbeat:
      return "stale-heartbeat";
    case NoteKind::kHolderUnitChanged:
      return "holder-unit-changed";
    case NoteKind::kUnmanagedUnit:
      return "unmanaged-unit";
    case NoteKind::kCrashLoop:
      return "crash-loop";
    case NoteKind::kOperatorStopped:
      return "operator-stopped";
    case NoteKind::kBuildTreeBinary:
      return "build-tree-binary";
    case NoteKind::kInstalledBinaryKept:
      return "installed-binary-kept";
    case NoteKind::kPreviousSocket:
      return "previous-socket";
  }
  return "?";
}

}  // namespace mosaic
