#pragma once
// `edgepart worker`: a process on one device that executes its part of a plan for real
// (docs/runtime.md). It listens for a coordinator (token checked in constant time), receives the
// model, weight seed, plan, its device index and every peer's address, then for each request runs
// its compute tasks with the Eigen executor on exactly the plan's regions (one at a time), sends
// each transfer's tensor piece to its receiver as soon as its dependencies are done, and reports
// the measured start and end of every task and transfer on the steady clock.
#include <cstdint>
#include <memory>
#include <string>

namespace edgepart::runtime {

class WorkerServer {
public:
  // Binds HOST:PORT (port 0: any free port). The token must be non-empty.
  WorkerServer(const std::string& host, uint16_t port, std::string token);
  ~WorkerServer();
  WorkerServer(const WorkerServer&) = delete;
  WorkerServer& operator=(const WorkerServer&) = delete;

  uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM (when `handle_signals`).
  void run(bool handle_signals);
  // Thread-safe.
  void stop();

private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgepart::runtime
