#include "edgepart/util/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "edgepart/util/error.hpp"

namespace edgepart {

namespace fs = std::filesystem;

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

void write_output(const std::string& path, const std::string& content, const std::vector<std::string>& inputs) {
  if (path.empty() || path == "-") {
    std::cout << content << std::flush;
    return;
  }
  for (const auto& in : inputs)
    if (same_file(path, in)) throw InputError(path, "", "refusing to write the output over an input file");
  // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written into, never renamed over: the
  // rename would replace the device node with a regular file.
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
    if (fs::is_directory(status)) throw InputError(path, "", "cannot write: is a directory");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw InputError(path, "", std::string("cannot write: ") + std::strerror(errno));
    bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) throw InputError(path, "", std::string("cannot write: ") + std::strerror(errno));
    return;
  }
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw InputError(path, "", std::string("cannot write: ") + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw InputError(path, "", "cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  // mkstemp creates 0600; outputs are ordinary files (0644 less the umask).
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    throw InputError(path, "", std::string("cannot write: ") + std::strerror(errno));
  }
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmpl.c_str());
    throw InputError(path, "", "cannot write: " + why);
  }
}

}  // namespace edgepart
