#include <cmath>

#include "channels.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim::detail {

RayleighChannel::RayleighChannel(const scenario::RayleighChannel& spec, RngStream rng)
    : bandwidth_mhz_(spec.bandwidth_mhz),
      snr_linear_(std::pow(10.0, spec.snr_db / 10.0)),  // dB -> linear power ratio
      coherence_ns_(SimTime::from_seconds(spec.coherence_ms * 1e-3).ns()),
      rng_(rng) {
  EDGEPART_ASSERT(coherence_ns_ > 0, "coherence time below 1 ns");
}

double RayleighChannel::rate_for_gain(double bandwidth_mhz, double snr_linear, double gain) {
  return bandwidth_mhz * std::log2(1.0 + snr_linear * gain);
}

void RayleighChannel::advance_to(SimTime t) {
  int64_t block = t.ns() / coherence_ns_;
  EDGEPART_ASSERT(block >= block_, "channel queried backwards in time");
  // One draw per block, including blocks nobody looked at, so the k-th block always has the k-th
  // draw of the stream.
  while (block_ < block) {
    double gain = rng_.exponential(1.0);  // |h|^2 ~ Exp(1) for Rayleigh fading
    ++block_;
    if (block_ == block) rate_mbps_ = rate_for_gain(bandwidth_mhz_, snr_linear_, gain);
  }
}

double RayleighChannel::do_rate_mbps_at(SimTime t) {
  advance_to(t);
  return rate_mbps_;
}

SimTime RayleighChannel::do_next_change_after(SimTime t) {
  return SimTime::from_ns((t.ns() / coherence_ns_ + 1) * coherence_ns_);
}

}  // namespace edgepart::sim::detail
