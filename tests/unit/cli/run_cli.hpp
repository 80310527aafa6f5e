#pragma once
// Runs the built edgepart binary (EDGEPART_BIN) in a child process, as a user would, and captures
// its exit status, stdout and stderr. fork/exec rather than system(): a shell would turn a signal
// into an exit code >= 128, and the corpus test must tell a crash from an error exit.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace edgepart::testing {

// A private folder under /tmp for the files a test writes, removed at the end.
class ScratchDir {
public:
  explicit ScratchDir(const std::string& prefix = "edgepart_test") {
    std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
    dir_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

private:
  std::string dir_;
};

struct CliResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  int signal = 0;      // the signal that ended it, 0 if none
  std::string out, err;

  // Number of lines of stderr (a final line without '\n' counts too).
  size_t err_lines() const {
    size_t n = 0;
    for (char c : err) n += c == '\n';
    return n + (!err.empty() && err.back() != '\n' ? 1 : 0);
  }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv_text[0] with the arguments argv_text[1..] in the working directory `cwd`.
inline CliResult run_program(std::vector<std::string> argv_text, const std::string& cwd) {
  char out_path[] = "/tmp/edgepart_cli_out_XXXXXX";
  char err_path[] = "/tmp/edgepart_cli_err_XXXXXX";
  int out_fd = ::mkstemp(out_path);
  int err_fd = ::mkstemp(err_path);
  CliResult r;
  if (out_fd < 0 || err_fd < 0) {
    r.err = "test harness: mkstemp failed";
    return r;
  }
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (pid > 0) ::waitpid(pid, &status, 0);
  ::close(out_fd);
  ::close(err_fd);
  if (pid > 0 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (pid > 0 && WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return r;
}

// `edgepart args...` with the working directory `cwd` (the repository root by default, like ctest).
inline CliResult run_edgepart(const std::vector<std::string>& args, const std::string& cwd = EDGEPART_SOURCE_DIR) {
  std::vector<std::string> argv_text = {EDGEPART_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  return run_program(std::move(argv_text), cwd);
}

// `edgepart ARGS` where ARGS is one shell line (quoting, several words in one string), run by
// /bin/sh from the repository root; the exit code is the shell's (128 + N for death by signal N).
inline CliResult run_edgepart_line(const std::string& args) {
  return run_program({"/bin/sh", "-c", std::string(EDGEPART_BIN) + " " + args}, EDGEPART_SOURCE_DIR);
}

// Bad input as the project answers it: exit 2, no signal, one line `edgepart: error: PREFIX...`
// containing `message`.
inline void expect_refused(const CliResult& r, const std::string& prefix, const std::string& message) {
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err_lines(), 1u) << r.err;
  EXPECT_THAT(r.err, ::testing::StartsWith("edgepart: error: " + prefix)) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr(message)) << r.err;
}

}  // namespace edgepart::testing
