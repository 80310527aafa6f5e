// RngStream: the generator against hand-stepped reference values, the distributions against their
// defining properties, and the stream-naming contract (docs/design.md §6).
#include <gtest/gtest.h>

#include <cmath>

#include "edgepart/util/rng.hpp"

namespace edgepart {
namespace {

TEST(StableHash, Fnv1aReferenceValues) {
  // FNV-1a 64: the empty string hashes to the offset basis; "a" = (basis ^ 0x61) * prime, the
  // value listed in the FNV reference test vectors (0xaf63dc4c8601ec8c).
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(SplitMix64, ReferenceFirstOutputFromZero) {
  // splitmix64.c seeded with 0: first output 0xe220a8397b1dcdaf (the reference implementation's
  // well-known first value).
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
}

TEST(RngStream, Xoshiro256StarStarHandStepped) {
  // State {1,2,3,4}: result = rotl(s1*5, 7)*9 = rotl(10,7)*9 = 1280*9 = 11520.
  // Step: t = 2<<17; s2 = 3^1 = 2; s3 = 4^2 = 6; s1 = 2^2 = 0; s0 = 1^6 = 7; so the next result is
  // rotl(0*5,7)*9 = 0. Then s2 = 2 ^ 262144 = 262146, s3 = rotl(6,45); t = 0; s2 ^= s0 -> 262146^7
  // = 262149; s3 ^= s1 (0); s1 ^= s2 -> 262149; third result = rotl(262149*5,7)*9.
  auto r = RngStream::from_state(1, 2, 3, 4);
  EXPECT_EQ(r.next_u64(), 11520u);
  EXPECT_EQ(r.next_u64(), 0u);
  uint64_t x = 262149ULL * 5;
  uint64_t third = ((x << 7) | (x >> 57)) * 9;
  EXPECT_EQ(r.next_u64(), third);
}

TEST(RngStream, SameNameSameDrawsOtherNameOtherDraws) {
  RngStream a(42, "channel/es0->es1"), b(42, "channel/es0->es1");
  RngStream c(42, "channel/es0->es2"), d(43, "channel/es0->es1");
  bool differs_c = false, differs_d = false;
  for (int i = 0; i < 16; ++i) {
    uint64_t va = a.next_u64();
    EXPECT_EQ(va, b.next_u64());
    differs_c |= va != c.next_u64();
    differs_d |= va != d.next_u64();
  }
  EXPECT_TRUE(differs_c);
  EXPECT_TRUE(differs_d);
}

TEST(RngStream, UniformUses53BitsAndStaysInRange) {
  // uniform() = (x >> 11) * 2^-53: from state {1,2,3,4} the first x is 11520, so the value is
  // (11520 >> 11) * 2^-53 = 5 * 2^-53; the second x is 0 -> exactly 0.
  auto r = RngStream::from_state(1, 2, 3, 4);
  EXPECT_EQ(r.uniform(), 5.0 * std::ldexp(1.0, -53));
  EXPECT_EQ(r.uniform(), 0.0);
  RngStream s(7, "u");
  for (int i = 0; i < 100000; ++i) {
    double u = s.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    double p = s.uniform_pos();
    ASSERT_GT(p, 0.0);
    ASSERT_LE(p, 1.0);
  }
}

// Moments over n draws against the distribution's own: mean within 5 standard errors
// (a failure probability below 1e-6 for a correct generator).
TEST(RngStream, ExponentialMeanAndTail) {
  RngStream r(1, "exp");
  const int n = 200000;
  const double mean = 2.5;
  double sum = 0;
  int above = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.exponential(mean);
    ASSERT_GE(x, 0.0);
    sum += x;
    above += x > mean;  // P(X > mean) = e^-1
  }
  EXPECT_NEAR(sum / n, mean, 5 * mean / std::sqrt(n));
  double p = std::exp(-1.0);
  EXPECT_NEAR(static_cast<double>(above) / n, p, 5 * std::sqrt(p * (1 - p) / n));
}

TEST(RngStream, NormalMomentsBoxMuller) {
  RngStream r(1, "normal");
  const int n = 200000;
  double sum = 0, sum2 = 0;
  int within_one_sd = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.normal(3.0, 2.0);
    sum += x;
    sum2 += (x - 3.0) * (x - 3.0);
    within_one_sd += std::fabs(x - 3.0) <= 2.0;
  }
  EXPECT_NEAR(sum / n, 3.0, 5 * 2.0 / std::sqrt(n));
  EXPECT_NEAR(sum2 / n, 4.0, 5 * 4.0 * std::sqrt(2.0 / n));  // var of s^2 estimate = 2 sigma^4 / n
  double p = std::erf(1.0 / std::sqrt(2.0));                  // P(|Z| <= 1) = 0.6827
  EXPECT_NEAR(static_cast<double>(within_one_sd) / n, p, 5 * std::sqrt(p * (1 - p) / n));
}

TEST(RngStream, BernoulliEdgesAndRate) {
  RngStream r(3, "b");
  int hits = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    ASSERT_FALSE(r.bernoulli(0.0));
    ASSERT_TRUE(r.bernoulli(1.0));
    hits += r.bernoulli(0.3);
  }
  EXPECT_NEAR(static_cast<double>(hits) / n, 0.3, 5 * std::sqrt(0.21 / n));
}

}  // namespace
}  // namespace edgepart
