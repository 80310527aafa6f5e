// Back-propagation through fused DAG blocks, per-region costs, block outputs and cut points, with
// expected regions and MACs derived by hand.
#include <gtest/gtest.h>

#include "edgepart/rf/block.hpp"

#include <filesystem>
#include <random>

#include "edgepart/rf/receptive_field.hpp"
#include "support/analyzed_model.hpp"

namespace edgepart::rf {
namespace {

using testing::model_from_text;
using testing::model_json;

using testing::Built;
using testing::build;

Region rc(int64_t r0, int64_t r1, int64_t c0, int64_t c1) { return Region{Interval{r0, r1}, Interval{c0, c1}}; }

// A residual block: a = conv3x3(input), b = conv3x3(a), c = add(b, input).
const char* kResidual = R"(
  {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1, "bias": false},
  {"name": "b", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1, "bias": false},
  {"name": "c", "op": "add", "inputs": ["b", "input"]})";

TEST(Block, ResidualHullOverPaths) {
  Built m = build("[1,8,8]", kResidual);
  BlockRegions br = propagate_block(m.graph, m.analysis, 0, 2, rc(2, 3, 0, 7));
  // c needs rows 2..3 of b and of the input; b (rows 2..3) needs rows 1..4 of a; a (rows 1..4)
  // needs rows 0..5 of the input. The block's input requirement is the hull over its readers:
  // [0,5] u [2,3] = [0,5].
  EXPECT_EQ(br.output(2), rc(2, 3, 0, 7));
  EXPECT_EQ(br.output(1), rc(2, 3, 0, 7));
  EXPECT_EQ(br.output(0), rc(1, 4, 0, 7));
  ASSERT_EQ(br.block_inputs.size(), 1u);
  EXPECT_EQ(br.block_inputs[0].producer, model::kModelInput);
  EXPECT_EQ(br.block_inputs[0].region, rc(0, 5, 0, 7));
  EXPECT_EQ(br.input(2)[1], rc(2, 3, 0, 7));
  EXPECT_EQ(br.input(0)[0], rc(0, 5, 0, 7));
  // MACs: a 3x3 conv with one input and one output channel does 9 MACs per output pixel.
  // a: 4 rows x 8 cols = 32 pixels -> 288; b: 2 x 8 = 16 -> 144; add: 0 MACs, 16 FLOPs.
  EXPECT_EQ(br.macs, (std::vector<int64_t>{288, 144, 0}));
  EXPECT_EQ(br.flops, (std::vector<int64_t>{576, 288, 16}));
  EXPECT_EQ(br.total_macs, 432);
  // The whole map costs what cost::analyze says.
  BlockRegions whole = propagate_block(m.graph, m.analysis, 0, 2, Region::whole(m.analysis.shapes[2]));
  EXPECT_EQ(whole.total_macs, m.analysis.total_macs);
  EXPECT_EQ(whole.total_flops, m.analysis.total_flops);
}

TEST(Block, BlockStartingInsideTheModelReadsOutsideTensors) {
  Built m = build("[1,8,8]", kResidual);
  // Block [1, 2]: b and c. Outside tensors: a (read by b) and the model input (read by c).
  BlockRegions br = propagate_block(m.graph, m.analysis, 1, 2, rc(7, 7, 3, 4));
  ASSERT_EQ(br.block_inputs.size(), 2u);
  EXPECT_EQ(br.block_inputs[0].producer, model::kModelInput);
  EXPECT_EQ(br.block_inputs[0].region, rc(7, 7, 3, 4));
  EXPECT_EQ(br.block_inputs[1].producer, 0);
  EXPECT_EQ(br.block_inputs[1].region, rc(6, 7, 2, 5));  // [7-1, 7+1] -> [6, 7]; [2, 5]
  EXPECT_EQ(br.input_of(0), rc(6, 7, 2, 5));
  EXPECT_TRUE(br.input_of(5).empty());
}

TEST(Block, BranchesNotReachingTheRequestAreNotComputed) {
  Built m = build("[1,8,8]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1},
    {"name": "side", "op": "relu", "inputs": ["input"]},
    {"name": "b", "op": "maxpool2d", "kernel": 2, "inputs": ["a"]})");
  BlockRegions br = propagate_block(m.graph, m.analysis, 0, 2, rc(0, 0, 0, 0));
  EXPECT_TRUE(br.output(1).empty());
  EXPECT_EQ(br.macs[1], 0);
  // b row 0 reads a rows 0..1; a rows 0..1 read input rows [-1, 2] -> [0, 2].
  EXPECT_EQ(br.output(0), rc(0, 1, 0, 1));
  EXPECT_EQ(br.input_of(model::kModelInput), rc(0, 2, 0, 2));
  // Two requirements: side's rows 5..6 as well.
  BlockRegions two = propagate_block(m.graph, m.analysis, 0, 2, {Requirement{2, rc(0, 0, 0, 0)}, Requirement{1, rc(5, 6, 0, 7)}});
  EXPECT_EQ(two.output(1), rc(5, 6, 0, 7));
  EXPECT_EQ(two.input_of(model::kModelInput), rc(0, 6, 0, 7));  // hull of [0,2]x[0,2] and [5,6]x[0,7]
}

TEST(Block, DeepThingsFigure5Tile) {
  Built m = build("[1,6,6]", R"({"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1})");
  BlockRegions br = propagate_block(m.graph, m.analysis, 0, 0, rc(3, 5, 0, 2));
  EXPECT_EQ(br.input_of(model::kModelInput), rc(2, 5, 0, 3));
  EXPECT_EQ(br.total_macs, 9 * 9);  // 9 output pixels x 9 MACs
}

TEST(Block, OutputsAndCutPoints) {
  Built m = build("[1,8,8]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1},
    {"name": "b", "op": "relu"},
    {"name": "c", "op": "add", "inputs": ["b", "a"]},
    {"name": "d", "op": "relu"},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 3})");
  // Layer a is read by b and c: a cut after a would leave a live for c; after b, a is live too.
  EXPECT_FALSE(is_single_tensor_cut(m.graph, 1));
  EXPECT_TRUE(is_single_tensor_cut(m.graph, 0));
  EXPECT_TRUE(is_single_tensor_cut(m.graph, 2));
  EXPECT_TRUE(is_single_tensor_cut(m.graph, 3));
  // Block [0, 1]: a is read by c after the block, b by c: both are outputs.
  EXPECT_EQ(block_outputs(m.graph, 0, 1), (std::vector<model::LayerIndex>{0, 1}));
  EXPECT_EQ(block_outputs(m.graph, 0, 3), (std::vector<model::LayerIndex>{3}));
  EXPECT_EQ(block_outputs(m.graph, 5, 6), (std::vector<model::LayerIndex>{6}));  // the model output
  // The spatial prefix ends before global pooling (index 4), at the last cut before it: d (3).
  EXPECT_EQ(spatial_prefix_end(m.graph, m.analysis), 3);
}

TEST(Block, RegionCostScalesPerPixel) {
  Built m = build("[3,10,10]", R"({"name": "c", "op": "conv2d", "out_channels": 4, "kernel": 3, "stride": 2, "padding": 1})");
  // 5x5 output, 4 x 3 x 3 x 3 = 108 MACs per output pixel; rows 1..2 x cols 0..4 = 10 pixels.
  RegionCost c = region_cost(m.analysis, 0, rc(1, 2, 0, 4));
  EXPECT_EQ(c.macs, 1080);
  EXPECT_EQ(c.flops, 2160);
  EXPECT_EQ(region_cost(m.analysis, 0, rc(4, 9, 4, 9)).macs, 108);  // clipped to pixel (4, 4)
}

TEST(Block, SinglePixelRegionsMatchReceptiveFields) {
  // Two independent implementations: Araujo et al.'s recurrences (receptive_field.cpp) say output
  // pixel u sees input [u*S - P, u*S - P + r - 1]; back-propagating the 1x1 region through the
  // block must give exactly that, clipped to the map (chains without dilation).
  for (std::string name : {"vgg16", "alexnet", "yolov2_tiny"}) {
    auto g = model::load_model((std::filesystem::path(EDGEPART_SOURCE_DIR) / "models" / (name + ".json")).string());
    auto a = cost::analyze(g);
    auto fields = receptive_fields(g, a);
    int checked = 0;
    for (size_t l = 0; l < g.size(); ++l) {
      if (!fields[l]) continue;
      const model::Shape& s = a.shapes[l];
      for (int64_t u : {int64_t{0}, s.h / 2, s.h - 1}) {
        int64_t v = s.w - 1 - u % s.w;
        const auto& f = *fields[l];
        Region want{Interval{u * f.h.stride - f.h.padding, u * f.h.stride - f.h.padding + f.h.size - 1}.clip(a.input.h),
                    Interval{v * f.w.stride - f.w.padding, v * f.w.stride - f.w.padding + f.w.size - 1}.clip(a.input.w)};
        BlockRegions br = propagate_block(g, a, 0, static_cast<LayerIndex>(l), Region{{u, u}, {v, v}});
        EXPECT_EQ(br.input_of(model::kModelInput), want) << name << " " << g.layers[l].name << " pixel " << u << "," << v;
        ++checked;
      }
    }
    EXPECT_GE(checked, 42) << name;  // 3 pixels x every layer with a field (alexnet: 14 layers)
  }
}

// The compiled block maps regions with the same steps as propagate_block but with its own loop
// and storage: on every zoo model (DAGs with concat, add, mul, upsample), random blocks and random
// regions of their last layer, both halo modes, every layer's region must be the same.
TEST(Block, CompiledBlockEqualsPropagateBlockOnTheZoo) {
  std::mt19937 rng(11);
  int compared = 0;
  for (std::string name : {"alexnet", "vgg16", "resnet18", "googlenet", "mobilenet_v2", "squeezenet1_1", "densenet121",
                           "yolov2", "yolov2_tiny"}) {
    auto g = model::load_model((std::filesystem::path(EDGEPART_SOURCE_DIR) / "models" / (name + ".json")).string());
    auto a = cost::analyze(g);
    const auto n = static_cast<LayerIndex>(g.size());
    for (int trial = 0; trial < 40; ++trial) {
      LayerIndex x = std::uniform_int_distribution<LayerIndex>(0, n - 1)(rng);
      LayerIndex y = std::uniform_int_distribution<LayerIndex>(0, n - 1)(rng);
      LayerIndex first = std::min(x, y), last = std::max(x, y);
      const model::Shape& s = a.shapes[static_cast<size_t>(last)];
      auto pick = [&](int64_t size) {
        int64_t u = std::uniform_int_distribution<int64_t>(-1, size)(rng), v = std::uniform_int_distribution<int64_t>(-1, size)(rng);
        return Interval{std::min(u, v), std::max(u, v)};  // may stick out of the map: both clip it
      };
      Region r{pick(s.h), pick(s.w)};
      for (Halo halo : {Halo::exact, Halo::none}) {
        BlockRegions want = propagate_block(g, a, first, last, r, halo);
        CompiledBlock block(g, a, first, last, halo);
        std::vector<Region> got(block.size());
        block.propagate(r, got);
        ASSERT_EQ(got, want.outputs) << name << " block " << first << ".." << last << " " << r.to_string();
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 9 * 40 * 2);
}

}  // namespace
}  // namespace edgepart::rf
