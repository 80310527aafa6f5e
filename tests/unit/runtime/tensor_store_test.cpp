// The per-request tensor store: coverage is exact per element whatever the overlap of the pieces,
// reading a box needs every element of it, and values come back channel-major.
#include <gtest/gtest.h>

#include "runtime/tensor_store.hpp"

namespace edgepart::runtime {
namespace {

cost::ModelAnalysis one_tensor(int64_t c, int64_t h, int64_t w) {
  cost::ModelAnalysis a;
  a.input = model::Shape{c, h, w};
  a.shapes = {model::Shape{c, h, w}};
  return a;
}

std::vector<float> iota(size_t n, float from) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = from + static_cast<float>(i);
  return v;
}

TEST(TensorStore, CoverageIsExactAcrossOverlappingPieces) {
  cost::ModelAnalysis a = one_tensor(2, 4, 5);  // 40 elements
  TensorStore store(a);
  Box top{0, 0, 1, 0, 2, 0, 4};     // rows 0..2: 30 elements
  Box bottom{0, 0, 1, 2, 3, 0, 4};  // rows 2..3: 20 elements, row 2 overlaps
  EXPECT_FALSE(store.has(top));
  EXPECT_FALSE(store.put(top, iota(30, 0).data()));
  EXPECT_TRUE(store.has(top));
  EXPECT_FALSE(store.has(bottom));
  EXPECT_FALSE(store.has(Box{0, 1, 1, 3, 3, 4, 4}));  // one element of row 3
  EXPECT_TRUE(store.put(bottom, iota(20, 100).data()));  // completes the tensor exactly now
  EXPECT_TRUE(store.complete(0));
  EXPECT_FALSE(store.put(bottom, iota(20, 100).data()));  // already complete
  // Channel 1, row 3, cols 1..2: bottom's values are channel-major over rows 2..3 x cols 0..4,
  // so channel 1 row 3 col x is index (1*2 + 1)*5 + x = 15 + x, value 115 + x.
  EXPECT_EQ(store.get(Box{0, 1, 1, 3, 3, 1, 2}), (std::vector<float>{116, 117}));
  // Row 2 came last from `bottom` (index (c*2 + 0)*5 + x -> 100 + ...).
  EXPECT_EQ(store.get(Box{0, 0, 0, 2, 2, 0, 0}), (std::vector<float>{100}));
  // Channel 0 row 0 from `top`: 0..4.
  EXPECT_EQ(store.get(Box{0, 0, 0, 0, 0, 0, 4}), iota(5, 0));
}

TEST(TensorStore, BoxesOutsideTheTensorDoNotFit) {
  cost::ModelAnalysis a = one_tensor(2, 4, 5);
  TensorStore store(a);
  EXPECT_TRUE(store.fits(Box{0, 0, 1, 0, 3, 0, 4}));
  EXPECT_FALSE(store.fits(Box{0, 0, 2, 0, 3, 0, 4}));   // channel 2 of 2
  EXPECT_FALSE(store.fits(Box{0, 0, 1, 0, 4, 0, 4}));   // row 4 of 4
  EXPECT_FALSE(store.fits(Box{0, 0, 1, -1, 3, 0, 4}));
  EXPECT_FALSE(store.fits(Box{1, 0, 0, 0, 0, 0, 0}));   // no tensor 1
  EXPECT_FALSE(store.fits(Box{0, 0, 1, 3, 2, 0, 4}));   // empty
  EXPECT_TRUE(store.fits(Box{-1, 0, 0, 0, 0, 0, 0}));   // the model input
}

}  // namespace
}  // namespace edgepart::runtime
