#include "quantize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgepart::runtime {

uint64_t packed_bytes(uint64_t count, unsigned bits) { return (count / 8) * bits + ((count % 8) * bits + 7) / 8; }

Quantized quantize(std::span<const float> values, unsigned bits) {
  Quantized q;
  q.bits = static_cast<uint8_t>(bits);
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (float v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = hi = 0;  // no finite value
  const double levels = std::ldexp(1.0, static_cast<int>(bits)) - 1;
  q.lo = lo;
  q.step = static_cast<float>((static_cast<double>(hi) - lo) / levels);
  q.codes.assign(packed_bytes(values.size(), bits), 0);
  uint64_t bit = 0;
  for (float v : values) {
    double code = q.step > 0 && std::isfinite(v) ? std::nearbyint((static_cast<double>(v) - lo) / q.step) : 0.0;
    auto c = static_cast<uint32_t>(std::clamp(code, 0.0, levels));
    for (unsigned b = 0; b < bits; ++b, ++bit)
      if (c >> b & 1u) q.codes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  }
  return q;
}

std::vector<float> dequantize(const Quantized& q, uint64_t count) {
  std::vector<float> out(count);
  uint64_t bit = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t c = 0;
    for (unsigned b = 0; b < q.bits; ++b, ++bit) c |= static_cast<uint32_t>(q.codes[bit / 8] >> (bit % 8) & 1u) << b;
    out[i] = static_cast<float>(static_cast<double>(q.lo) + static_cast<double>(q.step) * c);
  }
  return out;
}

unsigned bits_for(double bytes, int64_t count) {
  if (count <= 0) return 32;
  const double bits = std::ceil(bytes * 8.0 / static_cast<double>(count) - 1e-9);
  return static_cast<unsigned>(std::clamp(bits, 1.0, 31.0));
}

}  // namespace edgepart::runtime
