#include "edgepart/util/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "edgepart/util/error.hpp"

namespace edgepart {

InputFd::~InputFd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

std::string file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

InputFd open_regular_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise block forever before fstat can
  // tell what it is. It is cleared again below, for a regular file it changes nothing anyway.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) throw InputError(path, "", "cannot open file: no such file");
    if (err == EISDIR) throw InputError(path, "", "is a directory, not a file");
    throw InputError(path, "", std::string("cannot open file: ") + std::strerror(err));
  }
  struct Guard {
    int fd;
    ~Guard() {
      if (fd >= 0) ::close(fd);
    }
  } guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw InputError(path, "", std::string("cannot read: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(path, "", "is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw InputError(path, "", "cannot read: " + file_kind(st.st_mode) + ", not a regular file");
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  guard.fd = -1;
  return InputFd(fd, static_cast<int64_t>(st.st_size));
}

}  // namespace edgepart
