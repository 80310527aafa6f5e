#include <algorithm>

#include "channels.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim::detail {

TraceChannel::TraceChannel(const scenario::TraceChannel& spec) : loop_(spec.loop) {
  EDGEPART_ASSERT(!spec.points.empty(), "trace channel without points");
  for (const auto& [time_s, rate_mbps] : spec.points) {
    times_ns_.push_back(SimTime::from_seconds(time_s).ns());
    rates_mbps_.push_back(rate_mbps);
  }
  EDGEPART_ASSERT(std::is_sorted(times_ns_.begin(), times_ns_.end()), "trace points not sorted by time");
  period_ns_ = times_ns_.back();
  if (period_ns_ <= 0) loop_ = false;  // a one-instant trace is a constant
}

size_t TraceChannel::locate(SimTime t, int64_t& period_start_ns) const {
  int64_t local = t.ns();
  period_start_ns = 0;
  if (loop_) {
    period_start_ns = (local / period_ns_) * period_ns_;
    local -= period_start_ns;
  }
  auto it = std::upper_bound(times_ns_.begin(), times_ns_.end(), local);
  return it == times_ns_.begin() ? 0 : static_cast<size_t>(it - times_ns_.begin()) - 1;
}

double TraceChannel::do_rate_mbps_at(SimTime t) {
  int64_t start = 0;
  return rates_mbps_[locate(t, start)];
}

SimTime TraceChannel::do_next_change_after(SimTime t) {
  int64_t start = 0;
  size_t i = locate(t, start);
  int64_t local = t.ns() - start;
  if (local < times_ns_[0]) return SimTime::from_ns(start + times_ns_[0]);
  if (i + 1 < times_ns_.size()) return SimTime::from_ns(start + times_ns_[i + 1]);
  return loop_ ? SimTime::from_ns(start + period_ns_) : SimTime::max();
}

}  // namespace edgepart::sim::detail
