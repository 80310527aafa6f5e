#include "edgepart/sim/metrics.hpp"

#include <algorithm>

#include "edgepart/util/error.hpp"

namespace edgepart::sim {

MetricsCollector::MetricsCollector(int devices, int64_t requests, std::optional<double> deadline_s, bool keep_requests)
    : n_(devices),
      expected_requests_(requests),
      keep_requests_(keep_requests),
      log_(deadline_s),
      requests_(keep_requests ? static_cast<size_t>(requests) : 0),
      devices_(static_cast<size_t>(devices)),
      link_bytes_(static_cast<size_t>(devices * devices), 0.0),
      link_count_(static_cast<size_t>(devices * devices), 0) {}

void MetricsCollector::on_task_end(const TaskSpan& s) {
  DeviceUsage& u = devices_[static_cast<size_t>(s.device)];
  u.busy_s += s.end_s - s.start_s;  // an aborted run counts up to the abort
  if (s.aborted) return;
  ++u.tasks;
  if (s.info) u.peak_memory_bytes = std::max(u.peak_memory_bytes, s.info->memory_bytes);
}

void MetricsCollector::on_transfer_end(const TransferSpan& s) {
  size_t k = static_cast<size_t>(s.from * n_ + s.to);
  link_bytes_[k] += s.bytes;
  ++link_count_[k];
  devices_[static_cast<size_t>(s.from)].tx_s += s.end_s - s.start_s;
}

void MetricsCollector::on_request_done(const RequestRecord& r) {
  log_.add(r);
  if (keep_requests_) requests_.at(static_cast<size_t>(r.id)) = r;
}

SimResult MetricsCollector::result(const SimStats& stats) && {
  EDGEPART_ASSERT(log_.requests() == expected_requests_, "a request was never accounted for");
  SimResult out;
  out.log = std::move(log_);
  out.requests = std::move(requests_);
  out.devices = std::move(devices_);
  for (int i = 0; i < n_; ++i)
    for (int j = 0; j < n_; ++j) {
      size_t k = static_cast<size_t>(i * n_ + j);
      if (link_count_[k] > 0) out.links.push_back(LinkTraffic{i, j, link_bytes_[k], link_count_[k]});
    }
  out.stats = stats;
  return out;
}

}  // namespace edgepart::sim
