// The per-request tensor store: coverage is exact per element whatever the overlap of the pieces,
// reading a box needs every element of it, and values come back channel-major.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

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
  // Row 2 was written first by `top` (channel 0 row 2 col 0 is its index (0*3 + 2)*5 + 0 = 10);
  // `bottom`'s overlapping copy of it is not written again (the first write wins).
  EXPECT_EQ(store.get(Box{0, 0, 0, 2, 2, 0, 0}), (std::vector<float>{10}));
  // Channel 0 row 0 from `top`: 0..4.
  EXPECT_EQ(store.get(Box{0, 0, 0, 0, 0, 0, 4}), iota(5, 0));
}

// Random overlapping pieces against a per-element mask kept by the test: has(), complete() and
// the value of every element (the first write of it wins) agree with the brute force after
// every put.
TEST(TensorStore, CoverageMatchesAPerElementMaskOnRandomPieces) {
  const int64_t c = 3, h = 7, w = 9;
  cost::ModelAnalysis a = one_tensor(c, h, w);
  std::mt19937 rng(7);
  auto pick = [&](int64_t n) {
    int64_t x = std::uniform_int_distribution<int64_t>(0, n - 1)(rng), y = std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
    return std::pair{std::min(x, y), std::max(x, y)};
  };
  auto random_box = [&] {
    auto [c0, c1] = pick(c);
    auto [r0, r1] = pick(h);
    auto [x0, x1] = pick(w);
    return Box{0, c0, c1, r0, r1, x0, x1};
  };
  for (int trial = 0; trial < 50; ++trial) {
    TensorStore store(a);
    std::vector<float> value(static_cast<size_t>(c * h * w), 0.0f);
    std::vector<bool> present(value.size(), false);
    for (int piece = 0; piece < 12; ++piece) {
      Box b = random_box();
      std::vector<float> v = iota(static_cast<size_t>(b.elements()), static_cast<float>(1000 * piece));
      size_t k = 0;
      bool was_complete = std::all_of(present.begin(), present.end(), [](bool p) { return p; });
      for (int64_t ch = b.c0; ch <= b.c1; ++ch)
        for (int64_t y = b.r0; y <= b.r1; ++y)
          for (int64_t x = b.x0; x <= b.x1; ++x, ++k) {
            auto i = static_cast<size_t>((ch * h + y) * w + x);
            if (!present[i]) value[i] = v[k];  // the first write wins
            present[i] = true;
          }
      bool now_complete = std::all_of(present.begin(), present.end(), [](bool p) { return p; });
      EXPECT_EQ(store.put(b, v.data()), !was_complete && now_complete);
      EXPECT_EQ(store.complete(0), now_complete);
      for (int probe = 0; probe < 20; ++probe) {
        Box q = random_box();
        bool want = true;
        for (int64_t ch = q.c0; ch <= q.c1; ++ch)
          for (int64_t y = q.r0; y <= q.r1; ++y)
            for (int64_t x = q.x0; x <= q.x1; ++x) want = want && present[static_cast<size_t>((ch * h + y) * w + x)];
        ASSERT_EQ(store.has(q), want);
        if (!want) continue;
        std::vector<float> got = store.get(q);
        size_t j = 0;
        for (int64_t ch = q.c0; ch <= q.c1; ++ch)
          for (int64_t y = q.r0; y <= q.r1; ++y)
            for (int64_t x = q.x0; x <= q.x1; ++x, ++j) ASSERT_EQ(got[j], value[static_cast<size_t>((ch * h + y) * w + x)]);
      }
    }
  }
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
