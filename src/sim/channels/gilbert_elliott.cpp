#include "channels.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim::detail {

GilbertElliottChannel::GilbertElliottChannel(const scenario::GilbertElliottChannel& spec, double bandwidth_mbps,
                                             RngStream rng)
    : spec_(spec),
      good_mbps_(bandwidth_mbps * spec.good_factor),
      bad_mbps_(bandwidth_mbps * spec.bad_factor),
      step_ns_(SimTime::from_seconds(spec.step_ms * 1e-3).ns()), rng_(rng) {
  EDGEPART_ASSERT(step_ns_ > 0, "Gilbert-Elliott step below 1 ns");
  double leave = spec.p_good_to_bad + spec.p_bad_to_good;
  double p_bad = leave > 0 ? spec.p_good_to_bad / leave : 0.0;  // stationary distribution
  bad_ = rng_.bernoulli(p_bad);
}

void GilbertElliottChannel::advance_to(SimTime t) {
  int64_t step = t.ns() / step_ns_;
  EDGEPART_ASSERT(step >= step_, "channel queried backwards in time");
  for (; step_ < step; ++step_) bad_ = bad_ ? !rng_.bernoulli(spec_.p_bad_to_good) : rng_.bernoulli(spec_.p_good_to_bad);
}

double GilbertElliottChannel::do_rate_mbps_at(SimTime t) {
  advance_to(t);
  return bad_ ? bad_mbps_ : good_mbps_;
}

SimTime GilbertElliottChannel::do_next_change_after(SimTime t) {
  return SimTime::from_ns((t.ns() / step_ns_ + 1) * step_ns_);
}

}  // namespace edgepart::sim::detail
