// TempDir: a private directory for one test, removed with everything in it afterwards.
#pragma once

#include <string>

namespace mosaic {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// path()/relative
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

  /// Writes `content` to path()/relative, creating parent directories.
  void Write(const std::string& relative, const std::string& content) const;
  /// The content of path()/relative ("" when missing).
  std::string Read(const std::string& relative) const;

 private:
  std::string path_;
};

}  // namespace mosaic
