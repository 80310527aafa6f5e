// Quantised pull outputs (src/runtime/quantize.hpp): packing by hand, the error bound on random
// values, and the bits a compressed transfer's bytes allow.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "runtime/quantize.hpp"

namespace edgepart::runtime {
namespace {

TEST(Quantize, PacksCodesLeastSignificantBitFirst) {
  // lo 0, hi 2, 2 bits: step 2/3; codes round(v / step) = 0, 1, 0, 1, 3 (0.9 -> 1.35, 0.25 ->
  // 0.375, 0.75 -> 1.125). Bits LSB first: byte 0 = c1 = 1 (bit 2) | c3 = 1 (bit 6) = 0x44;
  // byte 1 = c4 = 3 = 0x03.
  const std::vector<float> v{0, 0.9f, 0.25f, 0.75f, 2};
  Quantized q = quantize(v, 2);
  EXPECT_EQ(q.lo, 0.0f);
  EXPECT_FLOAT_EQ(q.step, 2.0f / 3.0f);
  EXPECT_EQ(q.codes, (std::vector<uint8_t>{0x44, 0x03}));
  std::vector<float> back = dequantize(q, v.size());
  const std::vector<float> expected{0, 2.0f / 3.0f, 0, 2.0f / 3.0f, 2};
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(back[i], expected[i], 1e-6) << i;
}

TEST(Quantize, PackedBytesAreTheCeilingOfCountTimesBitsOverEight) {
  EXPECT_EQ(packed_bytes(10, 3), 4u);   // 30 bits
  EXPECT_EQ(packed_bytes(8, 8), 8u);
  EXPECT_EQ(packed_bytes(9, 31), 35u);  // 279 bits
  EXPECT_EQ(packed_bytes(0, 5), 0u);
}

TEST(Quantize, EveryValueIsWithinHalfAStepOnRandomData) {
  std::mt19937 rng(7);
  for (unsigned bits = 1; bits <= 31; bits += 3) {
    std::vector<float> v(1001);
    for (auto& x : v) x = std::uniform_real_distribution<float>(-5, 20)(rng);
    Quantized q = quantize(v, bits);
    ASSERT_EQ(q.codes.size(), packed_bytes(v.size(), bits));
    std::vector<float> back = dequantize(q, v.size());
    for (size_t i = 0; i < v.size(); ++i)
      ASSERT_LE(std::fabs(back[i] - v[i]), q.step / 2 * (1 + 1e-5) + 1e-5) << "bits " << bits << " value " << i;
  }
}

TEST(Quantize, ConstantAndNonFiniteInputsDoNotBreakIt) {
  std::vector<float> same(5, 3.5f);
  EXPECT_EQ(dequantize(quantize(same, 8), 5), same);
  std::vector<float> odd{1, NAN, INFINITY, 3};
  std::vector<float> back = dequantize(quantize(odd, 8), 4);
  EXPECT_FLOAT_EQ(back[0], 1);
  EXPECT_FLOAT_EQ(back[3], 3);
}

TEST(Quantize, BitsForTheBytesAPlanCounts) {
  EXPECT_EQ(bits_for(1000, 1000), 8u);       // fdsp's default: 8 bits per value
  EXPECT_EQ(bits_for(4000 * 0.25 / 2, 1000), 4u);  // 8 bits with a coding ratio of 2: 4 bits sent
  EXPECT_EQ(bits_for(1, 1000), 1u);          // at least one bit
  EXPECT_EQ(bits_for(1e9, 10), 31u);         // below float32's width
  EXPECT_EQ(bits_for(5, 0), 32u);
}

}  // namespace
}  // namespace edgepart::runtime
