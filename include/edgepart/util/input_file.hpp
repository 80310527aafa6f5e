#pragma once
// Opening input files (docs/robustness.md): every file edgepart reads (models, ONNX and its
// external data, scenarios, trace CSVs, plans, profiles, result tables) must be a regular file.
// A FIFO would block forever at open() or read(), a device such as /dev/zero never ends, and a
// directory has no bytes: all are refused with an InputError naming the path.
#include <cstdint>
#include <string>

namespace edgepart {

// An open, read-only file descriptor of a regular file; closed when destroyed.
class InputFd {
public:
  explicit InputFd(int fd, int64_t size_bytes) : fd_(fd), size_bytes_(size_bytes) {}
  ~InputFd();
  InputFd(InputFd&& other) noexcept : fd_(other.fd_), size_bytes_(other.size_bytes_) { other.fd_ = -1; }
  InputFd(const InputFd&) = delete;
  InputFd& operator=(const InputFd&) = delete;
  InputFd& operator=(InputFd&&) = delete;

  int get() const { return fd_; }
  int64_t size_bytes() const { return size_bytes_; }

private:
  int fd_;
  int64_t size_bytes_;
};

// Opens `path` (symbolic links followed) without blocking, and refuses anything that is not a
// regular file: InputError(path, "", "cannot open file: no such file" / "is a directory, not a
// file" / "cannot read: not a regular file (a FIFO)" ...).
InputFd open_regular_file(const std::string& path);

}  // namespace edgepart
