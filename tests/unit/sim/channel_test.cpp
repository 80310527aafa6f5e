// Channel models against their closed forms (docs/design.md §6).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "edgepart/sim/channel.hpp"
#include "support/exp_integral.hpp"

namespace edgepart::sim {
namespace {

// Wilson score interval for k successes in n trials at normal quantile z (Wilson 1927).
std::pair<double, double> wilson(double k, double n, double z) {
  double p = k / n, z2 = z * z;
  double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {centre - half, centre + half};
}

using testing::exp_integral_e1;
using testing::rayleigh_capacity_per_hz;

scenario::RayleighChannel rayleigh(double snr_db, double coherence_ms) {
  scenario::RayleighChannel r;
  r.snr_db = snr_db;
  r.coherence_ms = coherence_ms;
  return r;
}

TEST(ExpIntegral, ReferenceValues) {
  // Tabulated: E1(1) = 0.219383934395520, E1(0.1) = 1.822923958419390 (A&S table 5.1).
  EXPECT_NEAR(exp_integral_e1(1.0), 0.219383934395520, 1e-12);
  EXPECT_NEAR(exp_integral_e1(0.1), 1.822923958419390, 1e-12);
}

struct RayleighCase {
  double s_mbit, tau_s, b_mhz, snr_db;
};

// The link's bandwidth R is the channel's mean rate: rate = R log2(1 + snr g) / c(snr), with
// c(snr) = E[log2(1 + snr g)]. With R = B c(snr) (the ergodic capacity of a B MHz channel) the
// rate is B log2(1 + snr g), the Shannon capacity of the block. A transfer of S bits that starts
// at a block boundary and must end within tau < coherence sees one rate: done within tau iff
// B log2(1 + snr g) >= S / tau, i.e. P = exp(-(2^(S/(B tau)) - 1)/snr) with g ~ Exp(1).
TEST(RayleighChannel, TransferWithinDeadlineMatchesClosedForm) {
  const RayleighCase cases[] = {
      {1.0, 0.05, 20, 20}, {8.0, 0.10, 20, 10}, {2.0, 0.02, 10, 15}, {16.0, 0.5, 5, 0}, {0.5, 0.005, 40, 25}};
  for (const auto& c : cases) {
    const double coherence_ms = 1000;  // > tau: the first block's rate decides
    const double snr = std::pow(10.0, c.snr_db / 10);
    auto ch = make_channel(rayleigh(c.snr_db, coherence_ms), c.b_mhz * rayleigh_capacity_per_hz(snr), 7, "channel/a->b");
    const int n = 100000;
    int done = 0;
    for (int k = 0; k < n; ++k) {
      SimTime t = SimTime::from_ns(static_cast<int64_t>(k) * 1000000000);
      double rate = ch->rate_mbps_at(t);
      done += rate > 0 && c.s_mbit / rate <= c.tau_s;
    }
    double expected = std::exp(-(std::pow(2.0, c.s_mbit / (c.b_mhz * c.tau_s)) - 1) / snr);
    // The 95 % Wilson interval the issue names (z = 1.96). The seeds are fixed, so the outcome is
    // deterministic; a correct model lands inside each case's interval with probability 0.95.
    auto [lo, hi] = wilson(done, n, 1.959963984540054);
    EXPECT_GE(expected, lo) << "S=" << c.s_mbit << " tau=" << c.tau_s << " got " << done / double(n);
    EXPECT_LE(expected, hi) << "S=" << c.s_mbit << " tau=" << c.tau_s << " got " << done / double(n);
  }
}

TEST(RayleighChannel, MeanRateIsTheLinkBandwidth) {
  // Fading scales the link's bandwidth: whatever the SNR, the mean rate is the bandwidth R (here
  // 100 and 10 Mbit/s), within 4 standard errors of the sample mean.
  for (double bandwidth_mbps : {100.0, 10.0})
    for (double snr_db : {0.0, 10.0, 20.0, -30.0}) {
      auto ch = make_channel(rayleigh(snr_db, 10), bandwidth_mbps, 11, "channel/x->y");
      const int n = 100000;
      double sum = 0, sum2 = 0;
      for (int k = 0; k < n; ++k) {
        double r = ch->rate_mbps_at(SimTime::from_ns(static_cast<int64_t>(k) * 10000000));
        sum += r;
        sum2 += r * r;
      }
      double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
      EXPECT_NEAR(mean, bandwidth_mbps, 4 * sd / std::sqrt(n)) << "snr_db=" << snr_db;
    }
  // The default scenario's Wi-Fi (20 dB): a 20 MHz channel's ergodic capacity is 117.68 Mbit/s
  // (B e^(1/snr) E1(1/snr) / ln 2 with E1(0.01) = 4.0379 from A&S table 5.1: 20 x 1.01005 x
  // 4.0379 / 0.693147 = 117.68).
  EXPECT_NEAR(20 * rayleigh_capacity_per_hz(100), 117.68, 0.01);
}

TEST(RayleighChannel, BlocksHoldForTheCoherenceTime) {
  auto ch = make_channel(rayleigh(20, 10), 100, 3, "channel/a->b");
  double r0 = ch->rate_mbps_at(SimTime::from_ns(0));
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_ns(9999999)), r0);
  EXPECT_EQ(ch->next_change_after(SimTime::from_ns(5)).ns(), 10000000);
  EXPECT_EQ(ch->next_change_after(SimTime::from_ns(10000000)).ns(), 20000000);
  // A channel queried only at block 3 has the same block-3 rate as one queried at every block:
  // one draw per block whether anybody looks or not.
  auto a = make_channel(rayleigh(20, 10), 100, 3, "channel/a->b");
  auto b = make_channel(rayleigh(20, 10), 100, 3, "channel/a->b");
  for (int k = 0; k <= 3; ++k) a->rate_mbps_at(SimTime::from_ns(k * 10000000LL));
  EXPECT_EQ(a->rate_mbps_at(SimTime::from_ns(35000000)), b->rate_mbps_at(SimTime::from_ns(35000000)));
}

TEST(GilbertElliottChannel, StationaryShareOfBadSteps) {
  // Factors of the link's 40 Mbit/s bandwidth: good 1.25 x 40 = 50, bad 0.125 x 40 = 5 Mbit/s.
  scenario::GilbertElliottChannel ge;
  ge.good_factor = 1.25;
  ge.bad_factor = 0.125;
  ge.p_good_to_bad = 0.1;
  ge.p_bad_to_good = 0.3;
  ge.step_ms = 10;
  auto ch = make_channel(ge, 40, 5, "channel/a->b");
  const int n = 200000;
  int bad = 0, changes = 0;
  double prev = ch->rate_mbps_at(SimTime::zero());
  for (int k = 0; k < n; ++k) {
    double r = ch->rate_mbps_at(SimTime::from_ns(static_cast<int64_t>(k) * 10000000));
    ASSERT_TRUE(r == 50 || r == 5);
    bad += r == 5;
    changes += r != prev;
    prev = r;
  }
  // Stationary P(bad) = p_gb / (p_gb + p_bg) = 0.1 / 0.4 = 0.25. Steps are correlated (the chain's
  // second eigenvalue is 1 - 0.4 = 0.6), which inflates the variance of the share by
  // (1 + 0.6) / (1 - 0.6) = 4, hence a standard error of sqrt(4 * 0.25 * 0.75 / n).
  EXPECT_NEAR(static_cast<double>(bad) / n, 0.25, 5 * std::sqrt(4 * 0.25 * 0.75 / n));
  // Expected changes per step: 2 * P(good) * p_gb = 2 * 0.75 * 0.1 = 0.15.
  EXPECT_NEAR(static_cast<double>(changes) / n, 0.15, 0.01);
}

TEST(TraceChannel, PiecewiseConstantAndLooping) {
  scenario::TraceChannel tr;
  tr.points = std::make_shared<const scenario::TracePoints>(
      scenario::TracePoints{{0.0, 10.0}, {1.0, 5.0}, {2.0, 0.0}});  // period 2 s when looping
  tr.loop = true;
  auto ch = make_channel(tr, 0, 1, "channel/a->b");
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_seconds(0.5)), 10.0);
  EXPECT_EQ(ch->next_change_after(SimTime::from_seconds(0.5)), SimTime::from_seconds(1.0));
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_seconds(1.5)), 5.0);
  EXPECT_EQ(ch->next_change_after(SimTime::from_seconds(1.5)), SimTime::from_seconds(2.0));
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_seconds(2.5)), 10.0);  // looped
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_seconds(3.25)), 5.0);
  tr.loop = false;
  auto once = make_channel(tr, 0, 1, "channel/a->b");
  EXPECT_EQ(once->rate_mbps_at(SimTime::from_seconds(7.0)), 0.0);
  EXPECT_EQ(once->next_change_after(SimTime::from_seconds(7.0)), SimTime::max());
}

// Every directed link of a 32-device cluster (992 of them) reads the one copy of a trace's
// points: each channel holds a reference, none a copy (use_count 1 + 992).
TEST(TraceChannel, LinksShareThePoints) {
  scenario::TraceChannel tr;
  tr.points = std::make_shared<const scenario::TracePoints>(scenario::TracePoints{{0.0, 10.0}, {1.0, 5.0}});
  std::vector<std::unique_ptr<Channel>> links;
  for (int k = 0; k < 32 * 31; ++k) links.push_back(make_channel(tr, 100, 1, "channel/" + std::to_string(k)));
  EXPECT_EQ(tr.points.use_count(), 1 + 32 * 31);
  EXPECT_EQ(links.back()->rate_mbps_at(SimTime::from_seconds(0.5)), 10.0);
}

TEST(ConstantChannel, PlanningRateForEver) {
  auto ch = make_channel(scenario::ConstantChannel{}, 42.5, 1, "channel/a->b");
  EXPECT_EQ(ch->rate_mbps_at(SimTime::from_seconds(123.0)), 42.5);
  EXPECT_EQ(ch->next_change_after(SimTime::zero()), SimTime::max());
}

}  // namespace
}  // namespace edgepart::sim
