// Backward region mapping of every op kind, with regions derived by hand from the op definitions
// (docs/design.md §4; docs/formats.md), and a brute-force tap enumeration for random windows.
#include <gtest/gtest.h>

#include <random>

#include "edgepart/rf/backward.hpp"
#include "support/analyzed_model.hpp"

namespace edgepart::rf {
namespace {

using model::LayerIndex;
using testing::model_from_text;
using testing::model_json;

using testing::Built;
using testing::build;

Region rc(int64_t r0, int64_t r1, int64_t c0, int64_t c1) { return Region{Interval{r0, r1}, Interval{c0, c1}}; }

// Region of input k that layer `name` reads for `out`.
Region reads(const Built& b, const std::string& name, const Region& out, size_t k = 0, Halo halo = Halo::exact) {
  return input_regions(b.graph, b.analysis, *b.graph.find(name), out, halo).at(k);
}

TEST(Backward, DeepThingsFigure5) {
  // DeepThings (Zhao et al. 2018), Fig. 5: one 3x3 / stride 1 / pad 1 layer on a 6x6 map, 2x2 grid.
  // The tile of rows 3..5, cols 0..2 needs rows [3-1, 5-1+2] = [2, 6] -> clipped [2, 5] and
  // cols [0-1, 2-1+2] = [-1, 3] -> clipped [0, 3].
  Built b = build("[1,6,6]", R"({"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1})");
  EXPECT_EQ(reads(b, "c", rc(3, 5, 0, 2)), rc(2, 5, 0, 3));
  // The other three tiles by symmetry.
  EXPECT_EQ(reads(b, "c", rc(0, 2, 0, 2)), rc(0, 3, 0, 3));
  EXPECT_EQ(reads(b, "c", rc(0, 2, 3, 5)), rc(0, 3, 2, 5));
  EXPECT_EQ(reads(b, "c", rc(3, 5, 3, 5)), rc(2, 5, 2, 5));
}

TEST(Backward, ConvStrideDilationAsymmetricPadding) {
  Built b = build("[2,11,11]", R"(
    {"name": "s2", "op": "conv2d", "out_channels": 2, "kernel": 3, "stride": 2, "padding": 1, "inputs": ["input"]},
    {"name": "d2", "op": "conv2d", "out_channels": 2, "kernel": 3, "dilation": 2, "padding": 2, "inputs": ["input"]},
    {"name": "asym", "op": "conv2d", "out_channels": 2, "kernel": [3, 2], "stride": [1, 3], "padding": [0, 1, 2, 0], "inputs": ["input"]},
    {"name": "grp", "op": "conv2d", "out_channels": 4, "kernel": 5, "groups": 2, "inputs": ["input"]})");
  // s2: H' = floor((11+2-3)/2)+1 = 6. Rows 1..2 -> [2*1-1, 2*2-1+2] = [1, 5]; row 5 -> [9, 11] -> [9, 10].
  EXPECT_EQ(reads(b, "s2", rc(1, 2, 5, 5)), rc(1, 5, 9, 10));
  // d2: rows 0..0 -> [0-2, 0-2+2*2] = [-2, 2] -> [0, 2]; rows 4..6 -> [2, 8].
  EXPECT_EQ(reads(b, "d2", rc(0, 0, 4, 6)), rc(0, 2, 2, 8));
  // asym: top 0, left 1, stride 1 x 3, kernel 3 x 2. Rows 2..4 -> [2, 4+2] = [2, 6];
  // cols 1..2 -> [3*1-1, 3*2-1+1] = [2, 6].
  EXPECT_EQ(reads(b, "asym", rc(2, 4, 1, 2)), rc(2, 6, 2, 6));
  // Bottom padding 2: H' = 11+0+2-3+1 = 11; the last row 10 reads [10, 12] -> [10, 10].
  EXPECT_EQ(reads(b, "asym", rc(10, 10, 0, 0)), rc(10, 10, 0, 0));  // cols [-1, 0] -> [0, 0]
  // grp: 5x5, no padding, 7x7 out: rows 3..6 -> [3, 10].
  EXPECT_EQ(reads(b, "grp", rc(3, 6, 0, 0)), rc(3, 10, 0, 4));
}

TEST(Backward, PoolingWithCeilMode) {
  Built b = build("[1,5,5]", R"(
    {"name": "mp", "op": "maxpool2d", "kernel": 2, "ceil_mode": true, "inputs": ["input"]},
    {"name": "ap", "op": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1, "inputs": ["input"]},
    {"name": "mpd", "op": "maxpool2d", "kernel": 2, "stride": 1, "dilation": 2, "inputs": ["input"]})");
  // mp: ceil((5-2)/2)+1 = 3 rows; the last window starts at 4 and overhangs: rows [4, 5] -> [4, 4].
  EXPECT_EQ(b.analysis.shapes[0].h, 3);
  EXPECT_EQ(reads(b, "mp", rc(2, 2, 1, 2)), rc(4, 4, 2, 5 - 1));
  // ap: rows 1..2 -> [2-1, 4-1+2] = [1, 5] -> [1, 4].
  EXPECT_EQ(reads(b, "ap", rc(1, 2, 0, 0)), rc(1, 4, 0, 1));
  // mpd: dilation 2, kernel 2: output 3 rows, row 1 reads 1 and 3.
  EXPECT_EQ(reads(b, "mpd", rc(1, 1, 0, 2)), rc(1, 3, 0, 4));
}

TEST(Backward, AdaptivePoolingWindows) {
  Built b = build("[1,5,7]", R"(
    {"name": "a3", "op": "adaptive_avgpool2d", "output_size": [3, 7], "inputs": ["input"]},
    {"name": "g", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["input"]})");
  // PyTorch windows for 5 -> 3: i=0 [0, ceil(5/3)) = [0, 2); i=1 [1, ceil(10/3)) = [1, 4);
  // i=2 [floor(10/3), 5) = [3, 5). Rows 1..2 -> [1, 4]; row 0 -> [0, 1]. 7 -> 7 is the identity.
  EXPECT_EQ(reads(b, "a3", rc(1, 2, 2, 3)), rc(1, 4, 2, 3));
  EXPECT_EQ(reads(b, "a3", rc(0, 0, 6, 6)), rc(0, 1, 6, 6));
  // Global pooling needs the whole map.
  EXPECT_EQ(reads(b, "g", rc(0, 0, 0, 0)), rc(0, 4, 0, 6));
}

TEST(Backward, ElementwiseAddConcatMul) {
  Built b = build("[4,6,6]", R"(
    {"name": "r", "op": "relu", "inputs": ["input"]},
    {"name": "bn", "op": "batchnorm", "inputs": ["r"]},
    {"name": "sum", "op": "add", "inputs": ["r", "bn"]},
    {"name": "cat", "op": "concat", "inputs": ["r", "sum"]},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["input"]},
    {"name": "se", "op": "mul", "inputs": ["r", "gap"]},
    {"name": "sm", "op": "softmax", "inputs": ["cat"]},
    {"name": "lrn", "op": "lrn", "size": 3, "inputs": ["cat"]})");
  Region r = rc(2, 3, 1, 4);
  for (std::string name : {"r", "bn", "sm", "lrn"}) EXPECT_EQ(reads(b, name, r), r) << name;
  EXPECT_EQ(reads(b, "sum", r, 0), r);
  EXPECT_EQ(reads(b, "sum", r, 1), r);
  EXPECT_EQ(reads(b, "cat", r, 1), r);
  // mul's [C,1,1] second input is broadcast: its whole 1x1 map.
  EXPECT_EQ(reads(b, "se", r, 0), r);
  EXPECT_EQ(reads(b, "se", r, 1), rc(0, 0, 0, 0));
  // Requests beyond the map are clipped; an empty request reads nothing.
  EXPECT_EQ(reads(b, "r", rc(4, 9, -3, 1)), rc(4, 5, 0, 1));
  EXPECT_TRUE(reads(b, "r", Region::empty_region()).empty());
}

TEST(Backward, UpsampleSpaceToDepthDepthToSpace) {
  Built b = build("[4,6,6]", R"(
    {"name": "up", "op": "upsample", "scale": [2, 3], "inputs": ["input"]},
    {"name": "s2d", "op": "space_to_depth", "block_size": 2, "inputs": ["input"]},
    {"name": "d2s", "op": "depth_to_space", "block_size": 2, "inputs": ["input"]})");
  // up (12x18): out row u reads floor(u/2): rows 3..6 -> [1, 3]; cols 5..9 (scale 3) -> [1, 3].
  EXPECT_EQ(reads(b, "up", rc(3, 6, 5, 9)), rc(1, 3, 1, 3));
  // s2d (3x3): out row u gathers rows 2u .. 2u+1: rows 1..2 -> [2, 5]; col 0 -> [0, 1].
  EXPECT_EQ(reads(b, "s2d", rc(1, 2, 0, 0)), rc(2, 5, 0, 1));
  // d2s (12x12): out row u comes from floor(u/2): rows 3..4 -> [1, 2]; cols 0..11 -> [0, 5].
  EXPECT_EQ(reads(b, "d2s", rc(3, 4, 0, 11)), rc(1, 2, 0, 5));
}

TEST(Backward, FlattenLinearNeedEverything) {
  Built b = build("[2,3,4]", R"(
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 5},
    {"name": "sm", "op": "softmax"})");
  EXPECT_EQ(reads(b, "f", rc(0, 0, 0, 0)), rc(0, 2, 0, 3));
  EXPECT_EQ(reads(b, "fc", rc(0, 0, 0, 0)), rc(0, 0, 0, 0));  // a flat tensor is one 1x1 pixel
  EXPECT_EQ(reads(b, "sm", rc(0, 0, 0, 0)), rc(0, 0, 0, 0));
}

TEST(Backward, NoHaloReadsOnlyTheStrideCell) {
  // FDSP (ADCNN): out [u, v] reads [s*u, s*v + s - 1]. 3x3/s2/p1 on 8: rows 1..2 -> [2, 5].
  Built b = build("[1,8,8]", R"({"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "stride": 2, "padding": 1})");
  EXPECT_EQ(reads(b, "c", rc(1, 2, 3, 3), 0, Halo::none), rc(2, 5, 6, 7));
  EXPECT_EQ(reads(b, "c", rc(1, 2, 3, 3), 0, Halo::exact), rc(1, 5, 5, 7));
}

// Brute force: enumerate every tap of every output pixel and take the extent of those in the map.
Interval taps_extent(const Interval& out, int64_t k, int64_t s, int64_t d, int64_t p, int64_t in) {
  Interval r = Interval::empty_interval();
  for (int64_t u = out.begin; u <= out.end; ++u)
    for (int64_t t = 0; t < k; ++t) {
      int64_t y = u * s - p + t * d;
      if (y >= 0 && y < in) r = r.hull(Interval{y, y});
    }
  return r;
}

TEST(Backward, WindowMatchesTapEnumeration) {
  std::mt19937 gen(42);  // std::mt19937's sequence is fixed by the standard
  auto pick = [&gen](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(gen() % static_cast<uint32_t>(hi - lo + 1)); };
  for (int trial = 0; trial < 2000; ++trial) {
    int64_t k = pick(1, 7), s = pick(1, 4), d = pick(1, 3), p = pick(0, k / 2), in = pick(1, 40);  // PyTorch: p <= k/2
    int64_t span = d * (k - 1) + 1;
    if (in + 2 * p < span) continue;
    int64_t out_size = (in + 2 * p - span) / s + 1;
    int64_t u = pick(0, out_size - 1), v = pick(u, out_size - 1);
    Interval got = window_input(Interval{u, v}, k, s, d, p, in);
    Interval want = taps_extent(Interval{u, v}, k, s, d, p, in);
    // The closed form is the hull of the taps: equal whenever a tap at each end is in the map,
    // otherwise it may only be larger by rows that are skipped by dilation.
    EXPECT_TRUE(got.contains(want)) << "k" << k << " s" << s << " d" << d << " p" << p << " in" << in;
    EXPECT_EQ(got.clip(in), got);
    if (d == 1) {
      EXPECT_EQ(got, want) << "k" << k << " s" << s << " p" << p << " in" << in << " out " << u << ".." << v;
    }
  }
}

}  // namespace
}  // namespace edgepart::rf
