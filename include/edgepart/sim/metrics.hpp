#pragma once
// The metrics collector (docs/design.md §2, STYLE §3): an observer like any other, which turns what the
// simulator reports (tasks, transfers, requests) into the per-request records, device usage and
// link traffic of a SimResult. simulate() always attaches one.
#include <cstdint>
#include <optional>
#include <vector>

#include "edgepart/sim/observer.hpp"
#include "edgepart/sim/simulator.hpp"

namespace edgepart::sim {

class MetricsCollector final : public SimObserver {
public:
  // `deadline_s`: the workload's (deadline hits are counted as requests finish); `keep_requests`:
  // also keep every record (SimOptions::keep_requests).
  MetricsCollector(int devices, int64_t requests, std::optional<double> deadline_s, bool keep_requests);

  void on_task_end(const TaskSpan& span) override;
  void on_transfer_end(const TransferSpan& span) override;
  void on_request_done(const RequestRecord& record) override;

  // The result so far, with the engine's own counters.
  SimResult result(const SimStats& stats) &&;

private:
  int n_;
  int64_t expected_requests_;
  bool keep_requests_;
  RequestLog log_;
  std::vector<RequestRecord> requests_;
  std::vector<DeviceUsage> devices_;
  std::vector<double> link_bytes_;
  std::vector<int64_t> link_count_;
};

}  // namespace edgepart::sim
