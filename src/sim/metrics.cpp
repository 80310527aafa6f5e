#include "edgepart/sim/metrics.hpp"

#include <algorithm>

namespace edgepart::sim {

MetricsCollector::MetricsCollector(int devices, int64_t requests)
    : n_(devices),
      requests_(static_cast<size_t>(requests)),
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

void MetricsCollector::on_request_done(const RequestRecord& r) { requests_.at(static_cast<size_t>(r.id)) = r; }

SimResult MetricsCollector::result(const SimStats& stats) && {
  SimResult out;
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
