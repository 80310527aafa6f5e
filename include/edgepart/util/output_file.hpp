#pragma once
// Writing results safely (docs/design.md §8, STYLE §4.2): never over a file the user gave as input, and
// never a half-written file. The text goes to a temporary file in the same folder (so that the
// final rename() stays on one file system and is atomic), then is renamed over the target.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace edgepart {

// One output being written: stdout ("-" or ""), a device or pipe written in place (-o /dev/null,
// a FIFO, /dev/stdout: renaming over one would replace the node with a regular file), or a regular
// file written through a temporary sibling that commit() renames into place (through a symbolic
// link, the file it names is replaced and the link kept). Destroyed without commit(), the
// temporary is removed and the target keeps its old content. Throws InputError when `path` is one
// of `inputs` (the same file however spelled), is a directory, or cannot be written.
class OutputFile {
public:
  OutputFile(std::string path, const std::vector<std::string>& inputs);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends and flushes (a sweep's rows reach the temporary file point by point).
  void write(std::string_view text);
  // Makes the output visible: fsync + rename for a regular file, close for a device.
  void commit();

private:
  [[noreturn]] void fail(const std::string& why);
  std::string path_;       // as given (for messages)
  std::string tmp_;        // the temporary file; empty unless writing through one
  std::string rename_to_;  // what commit() renames it to: path_ with symbolic links followed
  std::FILE* file_ = nullptr;
};

// Writes `content` to `path` ("-" = stdout) through an OutputFile. When that goes through a
// temporary file, SIGINT, SIGTERM, SIGHUP and SIGQUIT are held back meanwhile, so that an
// interrupted run leaves the old file or the complete new one and no temporary behind; the held
// signal then acts as usual.
void write_output(const std::string& path, const std::string& content, const std::vector<std::string>& inputs);

// True when both paths name the same existing file (or the same normalised path).
bool same_file(const std::string& a, const std::string& b);

}  // namespace edgepart
