#pragma once
// Reproducible random streams (docs/design.md §6, STYLE §4.6). Every stream is derived from the master seed
// and a stable name ("channel/es0->es1", "workload/arrivals/pi"), never from a construction order,
// so adding a device or a link does not change the draws of any other stream. The generator is
// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018), seeded
// by splitmix64; the distributions are our own (as SimGrid's XbtRandom), so results are the same
// with every compiler and standard library: no std::*_distribution.
#include <cstdint>
#include <string_view>

namespace edgepart {

// FNV-1a, 64 bit (Fowler/Noll/Vo): a fixed, platform-independent hash of a stream name.
uint64_t stable_hash(std::string_view text);
// splitmix64 (Steele, Lea, Flood 2014): one step; the recommended seeder of xoshiro.
uint64_t splitmix64(uint64_t& state);

class RngStream {
public:
  RngStream(uint64_t master_seed, std::string_view name);
  // A stream with an explicit xoshiro state (tests against the reference implementation).
  static RngStream from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);

  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits (every double of the form k * 2^-53).
  double uniform();
  // Uniform in (0, 1]: safe for log().
  double uniform_pos() { return 1.0 - uniform(); }
  // Exponential with the given mean, by inversion: -mean * ln(U), U in (0, 1].
  double exponential(double mean);
  // Normal by Box-Muller (the second value of each pair is kept for the next call).
  double normal(double mean, double stddev);
  // True with probability p (uniform() < p: p = 0 never, p = 1 always).
  bool bernoulli(double p) { return uniform() < p; }

private:
  RngStream() = default;
  uint64_t s_[4] = {0, 0, 0, 0};
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace edgepart
