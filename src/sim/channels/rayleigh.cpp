#include <cmath>
#include <numbers>

#include "channels.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim::detail {

RayleighChannel::RayleighChannel(const scenario::RayleighChannel& spec, double bandwidth_mbps, RngStream rng)
    : snr_linear_(std::pow(10.0, spec.snr_db / 10.0)),  // dB -> linear power ratio
      coherence_ns_(SimTime::from_seconds(spec.coherence_ms * 1e-3).ns()),
      rng_(rng) {
  EDGEPART_ASSERT(coherence_ns_ > 0, "coherence time below 1 ns");
  mbps_per_bit_per_hz_ = bandwidth_mbps / mean_log2_capacity(snr_linear_);
}

double RayleighChannel::mean_log2_capacity(double snr_linear) {
  // e^x E1(x) with x = 1/snr. std::expint(-x) = Ei(-x) = -E1(x) (libstdc++, C++17 special
  // functions); beyond x = 500, e^x would overflow: the asymptotic series
  // e^x E1(x) ~ (1/x)(1 - 1/x + 2/x^2 - 6/x^3) (Abramowitz & Stegun 5.1.51), error below 1e-12.
  const double x = 1.0 / snr_linear;
  const double ex_e1 = x <= 500 ? std::exp(x) * -std::expint(-x)
                                : (1.0 / x) * (1.0 - 1.0 / x + 2.0 / (x * x) - 6.0 / (x * x * x));
  return ex_e1 / std::numbers::ln2;
}

void RayleighChannel::advance_to(SimTime t) {
  int64_t block = t.ns() / coherence_ns_;
  EDGEPART_ASSERT(block >= block_, "channel queried backwards in time");
  // One draw per block, including blocks nobody looked at, so the k-th block always has the k-th
  // draw of the stream.
  while (block_ < block) {
    double gain = rng_.exponential(1.0);  // |h|^2 ~ Exp(1) for Rayleigh fading
    ++block_;
    if (block_ == block) rate_mbps_ = mbps_per_bit_per_hz_ * std::log2(1.0 + snr_linear_ * gain);
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
