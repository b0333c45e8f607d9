#include "journal.h"

#include <systemd/sd-journal.h>

#include <algorithm>

namespace mosaic {

std::vector<std::string> LastJournalLines(const std::string& unit, int count) {
  std::vector<std::string> lines;
  sd_journal* journal = nullptr;
  if (sd_journal_open(&journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_CURRENT_USER) < 0) return lines;
  std::string match = "_SYSTEMD_USER_UNIT=" + unit;
  if (sd_journal_add_match(journal, match.data(), match.size()) >= 0 &&
      sd_journal_seek_tail(journal) >= 0) {
    while (static_cast<int>(lines.size()) < count && sd_journal_previous(journal) > 0) {
      const void* data = nullptr;
      size_t length = 0;
      if (sd_journal_get_data(journal, "MESSAGE", &data, &length) < 0) continue;
      std::string field(static_cast<const char*>(data), length);
      lines.push_back(field.substr(field.find('=') + 1));
    }
  }
  sd_journal_close(journal);
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace mosaic
