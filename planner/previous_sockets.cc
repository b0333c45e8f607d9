#include "previous_sockets.h"

#include <algorithm>

#include "name_rules.h"

namespace mosaic {

std::vector<std::string> ParsePreviousSockets(std::string_view text) {
  std::vector<std::string> sockets;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string socket(line);
    if (socket == "default" || ExplainNameViolation(NameRule::kSocket, socket, kMaxNameLength))
      continue;
    if (std::find(sockets.begin(), sockets.end(), socket) == sockets.end())
      sockets.push_back(std::move(socket));
  }
  return sockets;
}

std::string RenderPreviousSockets(const std::vector<std::string>& sockets) {
  std::string text =
      "# Written by mosaic-fleet: tmux sockets the fleet moved away from, whose servers may\n"
      "# still hold its sessions. Each is forgotten once its server is gone.\n";
  for (const std::string& socket : sockets) text.append(socket).append("\n");
  return text;
}

}  // namespace mosaic
