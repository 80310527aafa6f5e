#include "edgepart/runtime/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "edgepart/runtime/coordinator.hpp"

namespace edgepart::runtime {

namespace {

// Seconds a worker gets to exit after SIGTERM before SIGKILL.
constexpr double kStopGraceSeconds = 2.0;

std::string random_token() {
  unsigned char raw[32];
  std::ifstream in("/dev/urandom", std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(raw), sizeof raw)) throw RunSetupError("cannot read /dev/urandom for a token");
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (unsigned char c : raw) {
    t += hex[c >> 4];
    t += hex[c & 15];
  }
  return t;
}

// Reads the worker's first stdout line ("edgepart worker listening on HOST:PORT") with a deadline.
std::string read_listen_line(int fd, double timeout_s) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return "";
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return "";
    line.append(buf, static_cast<size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

}  // namespace

LocalWorkers::LocalWorkers(const SpawnOptions& o) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/edgepart-run-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw RunSetupError("cannot create a temporary folder: " + std::string(std::strerror(errno)));
  dir_ = buf.data();  // mkdtemp makes it 0700
  token_ = random_token();
  const std::string token_file = dir_ + "/token";
  {
    int fd = ::open(token_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ::write(fd, token_.data(), token_.size()) != static_cast<ssize_t>(token_.size())) {
      if (fd >= 0) ::close(fd);
      throw RunSetupError("cannot write the token file " + token_file);
    }
    ::close(fd);
  }
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  sched_getaffinity(0, sizeof allowed, &allowed);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);

  const pid_t parent = ::getpid();
  try {
    for (size_t d = 0; d < o.device_names.size(); ++d) {
      const std::string workdir = dir_ + "/" + std::to_string(d);
      std::filesystem::create_directory(workdir);
      const std::string host = o.listen_host ? o.listen_host(static_cast<int>(d)) : o.host;
      std::vector<std::string> args = o.command_prefix ? o.command_prefix(static_cast<int>(d)) : std::vector<std::string>{};
      for (std::string a : {o.executable, std::string(o.verbose ? "-vv" : "-q"), std::string("worker"), std::string("--listen"),
                            host + ":0", std::string("--token-file"), token_file, std::string("--workdir"), workdir})
        args.push_back(a);
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) throw RunSetupError("pipe: " + std::string(std::strerror(errno)));
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int pin_cpu = o.pin && !cpus.empty() ? cpus[d % cpus.size()] : -1;
      pid_t pid = ::fork();
      if (pid < 0) throw RunSetupError("fork: " + std::string(std::strerror(errno)));
      if (pid == 0) {
        // The child: die with the coordinator, default signals, stdout to the pipe.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::dup2(fds[1], STDOUT_FILENO);
        if (pin_cpu >= 0) {
          cpu_set_t one;
          CPU_ZERO(&one);
          CPU_SET(pin_cpu, &one);
          ::sched_setaffinity(0, sizeof one, &one);
        }
        ::execvp(argv[0], argv.data());
        ::_exit(127);
      }
      ::close(fds[1]);
      pids_.push_back(pid);
      std::string line = read_listen_line(fds[0], o.start_timeout_s);
      ::close(fds[0]);
      const std::string prefix = "edgepart worker listening on ";
      if (line.rfind(prefix, 0) != 0)
        throw RunSetupError("worker " + o.device_names[d] + " did not start (pid " + std::to_string(pid) + ")");
      addresses_.push_back(line.substr(prefix.size()));
      spdlog::info("spawned worker {} pid {} on {}{}", o.device_names[d], pid, addresses_.back(),
                   pin_cpu >= 0 ? " (cpu " + std::to_string(pin_cpu) + ")" : "");
    }
  } catch (...) {
    stop();
    throw;
  }
}

LocalWorkers::~LocalWorkers() { stop(); }

void LocalWorkers::stop() {
  for (pid_t p : pids_) ::kill(p, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(kStopGraceSeconds);
  for (pid_t p : pids_) {
    while (true) {
      pid_t r = ::waitpid(p, nullptr, WNOHANG);
      if (r == p || (r < 0 && errno == ECHILD)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(p, SIGKILL);
        ::waitpid(p, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pids_.clear();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace edgepart::runtime
