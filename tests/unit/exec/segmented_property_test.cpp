// Property tests: on seeded random conv/pool stacks (random kernel, stride, padding, dilation,
// ceil_mode, sizes, residual adds), segmented execution equals whole execution (max abs diff
// <= 1e-5 x max |output|) for random splits into 1..8 row stripes and random tile grids. The
// whole run is the reference; each part sees only its cropped input region, so a region that is
// one pixel too small throws (the executor checks every read) and a wrong offset changes values.
#include <gtest/gtest.h>

#include <random>

#include "edgepart/exec/executor.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "support/model_text.hpp"

namespace edgepart::exec {
namespace {

using rf::Interval;
using rf::Region;

class Picker {
public:
  explicit Picker(uint32_t seed) : gen_(seed) {}  // std::mt19937's sequence is fixed by the standard
  int64_t operator()(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(gen_() % static_cast<uint32_t>(hi - lo + 1)); }

private:
  std::mt19937 gen_;
};

std::string hw(int64_t h, int64_t w) { return "[" + std::to_string(h) + "," + std::to_string(w) + "]"; }

// A random layer (as JSON) reading `prev`; `channels` is updated. Some are residual pairs.
std::string random_layers(Picker& pick, int index, const std::string& prev, int64_t& channels) {
  std::string name = "l" + std::to_string(index);
  std::string in = R"(, "inputs": [")" + prev + R"("])";
  switch (pick(0, 5)) {
    case 0:
    case 1: {
      int64_t kh = pick(1, 5), kw = pick(1, 5);
      int64_t groups = pick(0, 2) == 0 ? channels : 1;
      int64_t out = groups * pick(1, 3);
      if (groups == channels && groups > 1) out = channels;  // depthwise
      std::string pad = "[" + std::to_string(pick(0, kh / 2)) + "," + std::to_string(pick(0, kw / 2)) + "," +
                        std::to_string(pick(0, kh / 2)) + "," + std::to_string(pick(0, kw / 2)) + "]";
      channels = out;
      return R"({"name": ")" + name + R"(", "op": "conv2d", "out_channels": )" + std::to_string(out) + R"(, "kernel": )" +
             hw(kh, kw) + R"(, "stride": )" + hw(pick(1, 2), pick(1, 3)) + R"(, "dilation": )" + hw(pick(1, 2), pick(1, 2)) +
             R"(, "padding": )" + pad + R"(, "groups": )" + std::to_string(groups) + in + "}";
    }
    case 2: {
      int64_t k = pick(2, 3);
      std::string op = pick(0, 1) == 0 ? "maxpool2d" : "avgpool2d";
      std::string extra = op == "avgpool2d" ? std::string(R"(, "count_include_pad": )") + (pick(0, 1) ? "true" : "false") : "";
      return R"({"name": ")" + name + R"(", "op": ")" + op + R"(", "kernel": )" + std::to_string(k) + R"(, "stride": )" +
             std::to_string(pick(1, 2)) + R"(, "padding": )" + std::to_string(pick(0, k / 2)) + R"(, "ceil_mode": )" +
             (pick(0, 1) ? "true" : "false") + extra + in + "}";
    }
    case 3: {
      // Residual: a same-size 3x3 conv, then add it to its input.
      std::string conv = R"({"name": ")" + name + R"(c", "op": "conv2d", "out_channels": )" + std::to_string(channels) +
                         R"(, "kernel": 3, "padding": 1)" + in + "}";
      return conv + R"(, {"name": ")" + name + R"(", "op": "add", "inputs": [")" + name + R"(c", ")" + prev + R"("]})";
    }
    case 4: return R"({"name": ")" + name + R"(", "op": "relu")" + in + "}";
    default: {
      // Two branches concatenated: a 1x1 and a 3x3 dilated conv.
      std::string a = R"({"name": ")" + name + R"(a", "op": "conv2d", "out_channels": 2, "kernel": 1)" + in + "}";
      std::string b = R"({"name": ")" + name + R"(b", "op": "conv2d", "out_channels": 1, "kernel": 3, "dilation": 2, "padding": 2)" + in + "}";
      channels = 3;
      return a + ", " + b + R"(, {"name": ")" + name + R"(", "op": "concat", "inputs": [")" + name + R"(a", ")" + name + R"(b"]})";
    }
  }
}

// Random cut points: `parts` stripes of [0, length-1], each non-empty.
std::vector<Interval> random_stripes(Picker& pick, int64_t length, int64_t parts) {
  parts = std::min(parts, length);
  std::vector<int64_t> cuts;
  while (static_cast<int64_t>(cuts.size()) < parts - 1) {
    int64_t c = pick(1, length - 1);
    if (std::find(cuts.begin(), cuts.end(), c) == cuts.end()) cuts.push_back(c);
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<Interval> out;
  int64_t begin = 0;
  for (int64_t c : cuts) {
    out.push_back(Interval{begin, c - 1});
    begin = c;
  }
  out.push_back(Interval{begin, length - 1});
  return out;
}

void expect_lossless(const Tensor& whole, const Tensor& seg, const std::string& what) {
  Comparison c = compare(whole, seg);
  EXPECT_LE(c.max_abs_error, 1e-5 * c.max_abs_output) << what;
}

TEST(SegmentedProperty, RandomStacksStripesAndGrids) {
  Picker pick(2026);
  int models = 0, runs = 0;
  for (int trial = 0; trial < 400 && models < 60; ++trial) {
    int64_t channels = pick(1, 3);
    int64_t h = pick(6, 24), w = pick(6, 24);
    std::string input = "[" + std::to_string(channels) + "," + std::to_string(h) + "," + std::to_string(w) + "]";
    std::string layers, prev = "input";
    int n = static_cast<int>(pick(1, 5));
    for (int i = 0; i < n; ++i) {
      if (i > 0) layers += ", ";
      layers += random_layers(pick, i, prev, channels);
      prev = "l" + std::to_string(i);
    }
    model::ModelGraph g;
    cost::ModelAnalysis an;
    try {
      g = testing::model_from_text(testing::model_json(input, layers));
      an = cost::analyze(g);
    } catch (const InputError&) {
      continue;  // a kernel larger than its input, etc.
    }
    ++models;
    Executor ex(g, an, static_cast<uint64_t>(trial));
    Tensor x = ex.random_input();
    Tensor whole = ex.run(x);
    const model::Shape& out = an.shapes.back();
    auto last = static_cast<model::LayerIndex>(g.size() - 1);
    // The block starts at a random layer (0 or a later one), the layers before it run whole.
    model::LayerIndex first = pick(0, 1) == 0 ? 0 : static_cast<model::LayerIndex>(pick(0, last));
    for (int split = 0; split < 4; ++split) {
      BlockAssignment block{first, last, {}, rf::Halo::exact};
      std::string what = layers + " on " + input + ", block " + std::to_string(first) + ".." + std::to_string(last);
      if (split < 2) {
        for (const Interval& rows : random_stripes(pick, out.h, pick(1, 8)))
          block.parts.push_back(PartAssignment{0, Region{rows, Interval::whole(out.w)}});
        what += ", stripes";
      } else {
        auto convention = split == 2 ? rf::TileConvention::balanced : rf::TileConvention::deepthings;
        int64_t gr = pick(1, 4), gc = pick(1, 4);
        for (const auto& t : rf::grid_tiles(out.h, out.w, gr, gc, convention))
          block.parts.push_back(PartAssignment{0, t.region});
        what += ", grid " + std::to_string(gr) + "x" + std::to_string(gc);
      }
      if (first > 0 && !rf::block_outputs(g, first, last).empty() && rf::block_outputs(g, first, last).front() != last)
        continue;  // the block is not closed (a residual input starts inside it)
      Tensor seg = ex.run_segmented(x, {block});
      expect_lossless(whole, seg, what);
      ++runs;
    }
  }
  EXPECT_GE(models, 50);
  EXPECT_GE(runs, 150);
}

TEST(SegmentedProperty, EveryOpKindInOneBlock) {
  // Every spatial op of the op table in one fused block, then a global head run whole.
  const char* layers = R"(
    {"name": "c1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1},
    {"name": "bn", "op": "batchnorm"},
    {"name": "a1", "op": "relu6"},
    {"name": "a2", "op": "leaky_relu", "negative_slope": 0.1},
    {"name": "a3", "op": "clip", "min": -1, "max": 2},
    {"name": "a4", "op": "hardswish"},
    {"name": "a5", "op": "silu"},
    {"name": "lrn", "op": "lrn", "size": 3},
    {"name": "mp", "op": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": true},
    {"name": "s2d", "op": "space_to_depth", "block_size": 2},
    {"name": "d2s", "op": "depth_to_space", "block_size": 2},
    {"name": "up", "op": "upsample", "scale": 2},
    {"name": "ap", "op": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1, "count_include_pad": false},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["ap"]},
    {"name": "hs", "op": "hardsigmoid", "inputs": ["gap"]},
    {"name": "se", "op": "mul", "inputs": ["ap", "hs"]},
    {"name": "sg", "op": "sigmoid", "inputs": ["ap"]},
    {"name": "cat", "op": "concat", "inputs": ["se", "sg"]},
    {"name": "sum", "op": "add", "inputs": ["cat", "cat"]},
    {"name": "ad", "op": "adaptive_avgpool2d", "output_size": [5, 3]},
    {"name": "sm", "op": "softmax"},
    {"name": "id", "op": "identity"},
    {"name": "do", "op": "dropout"},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10},
    {"name": "out", "op": "softmax"})";
  auto g = testing::model_from_text(testing::model_json("[3,14,14]", layers));
  auto an = cost::analyze(g);
  Executor ex(g, an, 11);
  Tensor x = ex.random_input();
  Tensor whole = ex.run(x);
  auto last = *g.find("do");
  const model::Shape& out = an.shapes[static_cast<size_t>(last)];
  for (int64_t parts = 1; parts <= 5; ++parts) {
    BlockAssignment rows{0, last, {}, rf::Halo::exact};
    for (const auto& s : rf::split_rows(out.h, std::vector<double>(static_cast<size_t>(parts), 1.0)))
      rows.parts.push_back(PartAssignment{s.device, Region{s.rows, Interval::whole(out.w)}});
    expect_lossless(whole, ex.run_segmented(x, {rows}), "rows " + std::to_string(parts));
    BlockAssignment tiles{0, last, {}, rf::Halo::exact};
    for (const auto& t : rf::grid_tiles(out.h, out.w, parts, 3)) tiles.parts.push_back(PartAssignment{0, t.region});
    expect_lossless(whole, ex.run_segmented(x, {tiles}), "tiles " + std::to_string(parts) + "x3");
  }
  // Two blocks, the second starting mid-model.
  BlockAssignment b1{0, *g.find("mp"), {}, rf::Halo::exact}, b2{*g.find("s2d"), last, {}, rf::Halo::exact};
  const model::Shape& s1 = an.shapes[static_cast<size_t>(b1.last)];
  for (const auto& t : rf::grid_tiles(s1.h, s1.w, 2, 2)) b1.parts.push_back(PartAssignment{0, t.region});
  for (const auto& t : rf::grid_tiles(out.h, out.w, 3, 1)) b2.parts.push_back(PartAssignment{0, t.region});
  expect_lossless(whole, ex.run_segmented(x, {b2, b1}), "two blocks");
}

TEST(SegmentedProperty, FdspIsApproximateButOneTileIsExact) {
  const char* layers = R"(
    {"name": "c1", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "r1", "op": "relu"},
    {"name": "p1", "op": "maxpool2d", "kernel": 2},
    {"name": "c2", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1})";
  auto g = testing::model_from_text(testing::model_json("[2,16,16]", layers));
  auto an = cost::analyze(g);
  Executor ex(g, an, 4);
  Tensor x = ex.random_input();
  Tensor whole = ex.run(x);
  const model::Shape& out = an.shapes.back();
  auto blocks = [&](int64_t r, int64_t c) {
    BlockAssignment b{0, 3, {}, rf::Halo::none};
    for (const auto& t : rf::grid_tiles(out.h, out.w, r, c)) b.parts.push_back(PartAssignment{0, t.region});
    return b;
  };
  // One tile covering the map: its border is the map border, so FDSP equals the whole run.
  expect_lossless(whole, ex.run_segmented(x, {blocks(1, 1)}), "fdsp 1x1");
  // A 2x2 grid zero-pads the inner borders: pixels next to them differ.
  Comparison c = compare(whole, ex.run_segmented(x, {blocks(2, 2)}));
  EXPECT_GT(c.max_abs_error, 1e-3 * c.max_abs_output);
}

TEST(SegmentedProperty, UncoveredOutputIsAnError) {
  auto g = testing::model_from_text(testing::model_json("[1,6,6]", R"({"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1})"));
  auto an = cost::analyze(g);
  Executor ex(g, an, 1);
  BlockAssignment b{0, 0, {PartAssignment{0, Region{{0, 2}, {0, 5}}}}, rf::Halo::exact};
  EXPECT_THROW(ex.run_segmented(ex.random_input(), {b}), InputError);
}

}  // namespace
}  // namespace edgepart::exec
