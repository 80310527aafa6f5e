#pragma once
// Chrome trace-event JSON (the format Perfetto and chrome://tracing open; taskflow's
// ChromeObserver): a simulator observer that records complete events ("ph": "X", ts and dur in
// microseconds) on one track per device (pid 1), one per directed link (pid 2) and lanes of
// whole requests (pid 3), with metadata events naming every process and thread.
#include <cstdint>
#include <string>
#include <vector>

#include "edgepart/sim/observer.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::report {

class ChromeTrace final : public sim::SimObserver {
public:
  // Records the requests with id < max_requests (a trace of 100,000 requests is too big to open).
  ChromeTrace(std::vector<std::string> device_names, int64_t max_requests = 1000);

  void on_task_end(const sim::TaskSpan& span) override;
  void on_transfer_end(const sim::TransferSpan& span) override;
  void on_request_done(const sim::RequestRecord& record) override;

  Json to_json() const;

private:
  struct Span {
    int pid, tid;
    std::string name, cat;
    double start_s, end_s;
    int64_t request;
  };
  std::vector<std::string> names_;
  int64_t max_requests_;
  std::vector<Span> spans_;
  std::vector<sim::RequestRecord> requests_;
};

}  // namespace edgepart::report
