#include "edgepart/util/rng.hpp"

#include <cmath>
#include <numbers>

namespace edgepart {

uint64_t stable_hash(std::string_view text) {
  // FNV-1a 64-bit offset basis and prime (http://www.isthe.com/chongo/tech/comp/fnv/).
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t splitmix64(uint64_t& state) {
  // Constants of the reference implementation (https://prng.di.unimi.it/splitmix64.c).
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

RngStream::RngStream(uint64_t master_seed, std::string_view name) {
  // Mix the seed and the name so that (seed, name) pairs map to unrelated states: the seed goes
  // through one splitmix step before it is combined with the name's hash.
  uint64_t mix = master_seed;
  uint64_t state = splitmix64(mix) ^ stable_hash(name);
  for (auto& word : s_) word = splitmix64(state);
}

RngStream RngStream::from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
  RngStream r;
  r.s_[0] = s0;
  r.s_[1] = s1;
  r.s_[2] = s2;
  r.s_[3] = s3;
  return r;
}

uint64_t RngStream::next_u64() {
  // xoshiro256** 1.0 (https://prng.di.unimi.it/xoshiro256starstar.c).
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RngStream::uniform() {
  // The top 53 bits scaled by 2^-53 (Vigna's recommended conversion to double).
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RngStream::exponential(double mean) { return -mean * std::log(uniform_pos()); }

double RngStream::normal(double mean, double stddev) {
  if (has_spare_) {
    has_spare_ = false;
    return mean + stddev * spare_normal_;
  }
  // Box-Muller: two independent standard normals from U1 in (0,1] and U2 in [0,1).
  double r = std::sqrt(-2.0 * std::log(uniform_pos()));
  double theta = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = r * std::sin(theta);
  has_spare_ = true;
  return mean + stddev * r * std::cos(theta);
}

}  // namespace edgepart
