#pragma once
// The channel models behind sim::Channel (internal to src/sim; one .cpp each).
#include "edgepart/sim/channel.hpp"
#include "edgepart/util/rng.hpp"

namespace edgepart::sim::detail {

class ConstantChannel final : public Channel {
public:
  explicit ConstantChannel(double rate_mbps) : rate_mbps_(rate_mbps) {}

private:
  double do_rate_mbps_at(SimTime) override { return rate_mbps_; }
  SimTime do_next_change_after(SimTime) override { return SimTime::max(); }
  double rate_mbps_;
};

// Block fading: the gain |h|^2 ~ Exp(1) is redrawn every coherence time and held in between;
// the Shannon capacity at the block's SNR, log2(1 + snr |h|^2), relative to its mean (the
// ergodic capacity per Hz, e^(1/snr) E1(1/snr) / ln 2) scales the link's bandwidth R:
// rate = R log2(1 + snr |h|^2) / E[log2(1 + snr |h|^2)], so the mean rate is R.
class RayleighChannel final : public Channel {
public:
  RayleighChannel(const scenario::RayleighChannel& spec, double bandwidth_mbps, RngStream rng);
  // E[log2(1 + snr g)] for g ~ Exp(1): e^(1/snr) E1(1/snr) / ln 2 (bit/s per Hz).
  static double mean_log2_capacity(double snr_linear);

private:
  double do_rate_mbps_at(SimTime t) override;
  SimTime do_next_change_after(SimTime t) override;
  void advance_to(SimTime t);
  double mbps_per_bit_per_hz_, snr_linear_;  // R / E[log2(1 + snr g)]
  int64_t coherence_ns_;
  RngStream rng_;
  int64_t block_ = -1;  // the block whose gain is drawn
  double rate_mbps_ = 0;
};

// Gilbert-Elliott: a two-state Markov chain stepped every step_ms; the first state is drawn from
// the chain's stationary distribution (P(bad) = p_gb / (p_gb + p_bg)).
class GilbertElliottChannel final : public Channel {
public:
  // The states' rates are bandwidth_mbps x good_factor and bandwidth_mbps x bad_factor.
  GilbertElliottChannel(const scenario::GilbertElliottChannel& spec, double bandwidth_mbps, RngStream rng);

private:
  double do_rate_mbps_at(SimTime t) override;
  SimTime do_next_change_after(SimTime t) override;
  void advance_to(SimTime t);
  scenario::GilbertElliottChannel spec_;
  double good_mbps_, bad_mbps_;
  int64_t step_ns_;
  RngStream rng_;
  int64_t step_ = 0;
  bool bad_ = false;
};

// A measured trace of (time_s, rate_mbps) points, held piecewise constant. With loop, the last
// point's time is the period and the profile repeats (the last point only closes the period);
// without, the last rate holds for ever. Before the first point the first rate applies.
class TraceChannel final : public Channel {
public:
  explicit TraceChannel(const scenario::TraceChannel& spec);

private:
  double do_rate_mbps_at(SimTime t) override;
  SimTime do_next_change_after(SimTime t) override;
  // Index of the point in force at t (within the period) and the start of the period.
  size_t locate(SimTime t, int64_t& period_start_ns) const;
  int64_t time_ns(size_t i) const { return SimTime::from_seconds((*points_)[i].first).ns(); }
  std::shared_ptr<const scenario::TracePoints> points_;  // the scenario's, shared by every link
  bool loop_;
  int64_t period_ns_ = 0;
};

}  // namespace edgepart::sim::detail
