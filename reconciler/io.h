// Io: where a command writes, and whether colour is wanted there.
#pragma once

#include <istream>
#include <ostream>

namespace mosaic {

struct Io {
  std::ostream& out;
  std::ostream& err;
  bool out_color = false;      ///< stdout is a terminal and NO_COLOR is unset
  bool err_color = false;      ///< stderr likewise
  std::istream* in = nullptr;  ///< stdin, for commands that read it (`agent send -m -`)
};

}  // namespace mosaic
