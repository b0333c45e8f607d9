// Journal: what a failed unit last said, from the systemd journal (sd-journal), so that apply
// can show why a start failed instead of only "see journalctl".
#pragma once

#include <string>
#include <vector>

namespace mosaic {

/// Up to `count` most recent messages logged by user unit `unit`, oldest first; empty when
/// there is no journal (as in a container without journald) or nothing was logged.
std::vector<std::string> LastJournalLines(const std::string& unit, int count);

}  // namespace mosaic
