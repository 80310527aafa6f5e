#pragma once
// `edgepart run --spawn`: one `edgepart worker` process per device on this machine, each on a free
// loopback port it picks itself (port 0; it prints the port it got), sharing a random token kept
// in a 0600 file of a private temporary folder. The workers die with the coordinator
// (PR_SET_PDEATHSIG) and are stopped and reaped when this object goes, on every exit path.
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace edgepart::runtime {

struct SpawnOptions {
  std::string executable;                 // the edgepart binary
  std::vector<std::string> device_names;  // one worker each, in device order
  std::string host = "127.0.0.1";
  // --pin: worker i runs on CPU i mod (CPUs this process may use), sched_setaffinity.
  bool pin = false;
  // A hook for network emulation: the argv prefix that runs a device's worker elsewhere (e.g.
  // `ip netns exec NS`) and the host it listens on there. Empty: run directly on `host`.
  std::function<std::vector<std::string>(int device)> command_prefix;
  std::function<std::string(int device)> listen_host;
  double start_timeout_s = 30;
  bool verbose = false;                   // pass -v to the workers
};

class LocalWorkers {
public:
  // Starts every worker; RunSetupError when one does not come up in time.
  explicit LocalWorkers(const SpawnOptions& options);
  ~LocalWorkers();
  LocalWorkers(const LocalWorkers&) = delete;
  LocalWorkers& operator=(const LocalWorkers&) = delete;

  const std::vector<std::string>& addresses() const { return addresses_; }
  const std::string& token() const { return token_; }
  const std::vector<pid_t>& pids() const { return pids_; }
  // SIGTERM, then SIGKILL after a grace period; reaps every worker. Idempotent.
  void stop();

private:
  std::string dir_, token_;
  std::vector<std::string> addresses_;
  std::vector<pid_t> pids_;
};

}  // namespace edgepart::runtime
