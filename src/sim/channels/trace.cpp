#include <algorithm>

#include "channels.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim::detail {

TraceChannel::TraceChannel(const scenario::TraceChannel& spec) : points_(spec.points), loop_(spec.loop) {
  EDGEPART_ASSERT(points_ && !points_->empty(), "trace channel without points");
  for (size_t i = 1; i < points_->size(); ++i)
    EDGEPART_ASSERT(time_ns(i - 1) <= time_ns(i), "trace points not sorted by time");
  period_ns_ = time_ns(points_->size() - 1);
  if (period_ns_ <= 0) loop_ = false;  // a one-instant trace is a constant
}

size_t TraceChannel::locate(SimTime t, int64_t& period_start_ns) const {
  int64_t local = t.ns();
  period_start_ns = 0;
  if (loop_) {
    period_start_ns = (local / period_ns_) * period_ns_;
    local -= period_start_ns;
  }
  // The first point after `local` (times converted to whole nanoseconds as they are compared).
  size_t lo = 0, hi = points_->size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (time_ns(mid) <= local) lo = mid + 1;
    else hi = mid;
  }
  return lo == 0 ? 0 : lo - 1;
}

double TraceChannel::do_rate_mbps_at(SimTime t) {
  int64_t start = 0;
  return (*points_)[locate(t, start)].second;
}

SimTime TraceChannel::do_next_change_after(SimTime t) {
  int64_t start = 0;
  size_t i = locate(t, start);
  int64_t local = t.ns() - start;
  if (local < time_ns(0)) return SimTime::from_ns(start + time_ns(0));
  if (i + 1 < points_->size()) return SimTime::from_ns(start + time_ns(i + 1));
  return loop_ ? SimTime::from_ns(start + period_ns_) : SimTime::max();
}

}  // namespace edgepart::sim::detail
