#pragma once
// Uniform quantisation of a pull task's output before it is sent (FDSP / ADCNN: tile outputs are
// quantised to `bits` per value, docs/design.md §5), so a real run moves the bytes the plan
// counts: lo = the smallest value, step = (largest - lo) / (2^bits - 1), code = round((v - lo) /
// step), packed `bits` at a time, least significant bit first. Decoding gives lo + step * code:
// every value within step / 2 of the original.
#include <cstdint>
#include <span>
#include <vector>

namespace edgepart::runtime {

struct Quantized {
  uint8_t bits = 8;  // 1..31
  float lo = 0, step = 0;
  std::vector<uint8_t> codes;  // ceil(count * bits / 8) bytes
};

// The bytes `count` codes of `bits` bits take.
uint64_t packed_bytes(uint64_t count, unsigned bits);
Quantized quantize(std::span<const float> values, unsigned bits);
std::vector<float> dequantize(const Quantized& q, uint64_t count);

// The bits per value a compressed transfer of `bytes` for `count` values allows (the plan's
// bytes are after quantisation): ceil(bytes * 8 / count), within 1..31; 32 when not compressed.
unsigned bits_for(double bytes, int64_t count);

}  // namespace edgepart::runtime
