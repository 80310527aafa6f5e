#include "edgepart/util/output_file.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "edgepart/util/error.hpp"

namespace edgepart {

namespace fs = std::filesystem;

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

namespace {

// How an output path is written.
enum class OutputKind {
  standard_output,  // "-" or ""
  in_place,         // a device, pipe or socket, or a /dev or /proc path such as /dev/stdout
                    // (which may lead to a regular file the shell opened): written into
  replaced,         // a regular file, existing or not: a temporary sibling renamed over it
};

OutputKind output_kind(const std::string& path) {
  if (path.empty() || path == "-") return OutputKind::standard_output;
  if (path.rfind("/dev/", 0) == 0 || path.rfind("/proc/", 0) == 0) return OutputKind::in_place;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status)) return OutputKind::in_place;
  return OutputKind::replaced;
}

// `path` with symbolic links followed to what they name, also when that does not exist yet
// (fs::canonical fails on a dangling link, and renaming over the link would replace it).
// Linux's limit of 40 links guards against a loop.
fs::path follow_links(const fs::path& path) {
  constexpr int kMaxLinks = 40;  // Linux's MAXSYMLINKS, path_resolution(7)
  fs::path p = path;
  std::error_code ec;
  for (int hops = 0; hops < kMaxLinks && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) break;
    p = link.is_absolute() ? link : (p.parent_path() / link).lexically_normal();
  }
  return p;
}

}  // namespace

OutputFile::OutputFile(std::string path, const std::vector<std::string>& inputs) : path_(std::move(path)) {
  const OutputKind kind = output_kind(path_);
  if (kind == OutputKind::standard_output) {
    path_ = "stdout";  // as errors name it
    file_ = stdout;
    return;
  }
  for (const auto& in : inputs)
    if (same_file(path_, in)) throw InputError(path_, "", "refusing to write the output over an input file");
  std::error_code ec;
  if (fs::is_directory(path_, ec)) throw InputError(path_, "", "cannot write: is a directory");
  if (kind == OutputKind::in_place) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw InputError(path_, "", std::string("cannot write: ") + std::strerror(errno));
    return;
  }
  // A symbolic link is followed: the file it names is replaced (or created, when the link
  // dangles), the link stays a link.
  const fs::path target = follow_links(path_);
  rename_to_ = target.string();
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  tmp_ = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(tmp_.data());
  if (fd < 0) {
    const int err = errno;
    tmp_.clear();
    throw InputError(path_, "", std::string("cannot write: ") + std::strerror(err));
  }
  // mkstemp creates 0600; outputs are ordinary files (0666 less the umask, like the shell's `>`).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int err = errno;
    ::close(fd);
    fail(std::strerror(err));
  }
}

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) std::fclose(file_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());  // not committed: the target keeps its old content
}

void OutputFile::fail(const std::string& why) {
  if (file_ && file_ != stdout) std::fclose(file_);
  file_ = nullptr;
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
  throw InputError(path_, "", "cannot write: " + why);
}

void OutputFile::write(std::string_view text) {
  EDGEPART_ASSERT(file_ != nullptr, "OutputFile::write after commit");
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0)
    fail(std::strerror(errno));
}

void OutputFile::commit() {
  EDGEPART_ASSERT(file_ != nullptr, "OutputFile::commit twice");
  std::FILE* f = file_;
  file_ = nullptr;
  if (f == stdout) {
    if (std::fflush(stdout) != 0) fail(std::strerror(errno));
    return;
  }
  // A regular file is synced before the rename, so that a crash of the machine cannot leave the
  // new name pointing at data that never reached the disk.
  const bool synced = tmp_.empty() || ::fsync(::fileno(f)) == 0;
  const int sync_errno = errno;
  const bool closed = std::fclose(f) == 0;
  const int close_errno = errno;
  if (!synced || !closed) fail(std::strerror(synced ? close_errno : sync_errno));
  if (tmp_.empty()) return;
  if (std::rename(tmp_.c_str(), rename_to_.c_str()) != 0) fail(std::strerror(errno));
  tmp_.clear();
}

namespace {

// Holds back the signals that end a process by default while it lives; pending ones are delivered
// when it is destroyed. pthread_sigmask is per thread: write_output runs on the main thread, and
// the commands that call it start no other threads (sweep, the one that does, handles signals).
class TerminationSignalsHeld {
public:
  TerminationSignalsHeld() {
    sigset_t held;
    sigemptyset(&held);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&held, sig);
    ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
  }
  ~TerminationSignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  TerminationSignalsHeld(const TerminationSignalsHeld&) = delete;
  TerminationSignalsHeld& operator=(const TerminationSignalsHeld&) = delete;

private:
  sigset_t previous_;
};

}  // namespace

void write_output(const std::string& path, const std::string& content, const std::vector<std::string>& inputs) {
  // Only while a temporary file exists: opening a FIFO without a reader blocks, and Ctrl-C must
  // still end that.
  std::optional<TerminationSignalsHeld> held;
  if (output_kind(path) == OutputKind::replaced) held.emplace();
  OutputFile out(path, inputs);
  out.write(content);
  out.commit();
}

}  // namespace edgepart
