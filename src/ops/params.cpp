#include "edgepart/ops/params.hpp"

namespace edgepart::ops {

namespace {

// splitmix64's output function (Steele, Lea, Flood 2014; constants from the paper's reference code).
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// FNV-1a 64 bit (public-domain constants from the FNV specification).
uint64_t fnv1a(std::string_view text, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char ch : text) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  return hash;
}

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;  // splitmix64's increment, 2^64 / phi

}  // namespace

UniformStream::UniformStream(uint64_t seed, std::string_view layer, std::string_view tensor) {
  uint64_t h = fnv1a(tensor, fnv1a("/", fnv1a(layer)));
  key_ = mix64(seed ^ mix64(h));
}

float UniformStream::at(uint64_t index, float lo, float hi) const {
  uint64_t k = mix64(key_ + (index + 1) * kGolden) >> 40;  // 24 bits: exact in a float
  return lo + (hi - lo) * (static_cast<float>(k) * 0x1p-24f);
}

void UniformStream::fill(std::vector<float>& out, float lo, float hi) const {
  for (size_t i = 0; i < out.size(); ++i) out[i] = at(i, lo, hi);
}

}  // namespace edgepart::ops
