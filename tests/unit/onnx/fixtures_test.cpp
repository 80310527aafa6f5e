// The ONNX loader on the fixtures of tests/data/onnx/ (tools/make_onnx_fixtures.py). Every
// expected shape, attribute and MAC count is worked out by hand in the comments from the ONNX
// operator definitions (docs/formats.md formulas), not copied from the loader's output. The
// weights of most fixtures are external data in a 'weights.bin' that does not exist.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"

namespace edgepart::model {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return (fs::path(EDGEPART_SOURCE_DIR) / "tests" / "data" / "onnx" / (name + ".onnx")).string();
}

struct Loaded {
  ModelGraph g;
  cost::ModelAnalysis a;
  const Layer& layer(const std::string& name) const { return g.layer(*g.find(name)); }
  Shape shape(const std::string& name) const { return a.shapes.at(static_cast<size_t>(*g.find(name))); }
  int64_t macs(const std::string& name) const { return a.layers.at(static_cast<size_t>(*g.find(name))).macs; }
};

Loaded load(const std::string& name) {
  Loaded l{load_model(fixture(name)), {}};
  l.a = cost::analyze(l.g);
  return l;
}

std::vector<std::string> names(const ModelGraph& g) {
  std::vector<std::string> out;
  for (const auto& l : g.layers) out.push_back(l.name);
  return out;
}

TEST(OnnxFixtures, ExternalWeightsWithoutDataFileLoad) {
  ASSERT_FALSE(fs::exists(fs::path(fixture("conv_forms")).parent_path() / "weights.bin"));
  EXPECT_NO_THROW(load("conv_forms"));
}

TEST(OnnxFixtures, ConvAttributeForms) {
  Loaded m = load("conv_forms");
  EXPECT_EQ(m.g.input, Shape::chw(3, 32, 32));
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5", "c6", "c7"}));
  EXPECT_EQ(m.layer("c1").origin, "node 'c1' (Conv)");
  // c1: 3x3, pads 1 -> 32x32; weight [8,3,3,3], bias [8].
  const auto& c1 = m.layer("c1").as<Conv2dAttrs>();
  EXPECT_EQ(c1.out_channels, 8);
  EXPECT_EQ(c1.padding, (Padding{1, 1, 1, 1}));
  EXPECT_TRUE(c1.bias);
  EXPECT_EQ(m.shape("c1"), Shape::chw(8, 32, 32));
  // c2: ONNX pads [x1_begin, x2_begin, x1_end, x2_end] = [0,1,2,3] -> top 0, left 1, bottom 2,
  // right 3; stride 2: H = (32+0+2-3)/2+1 = 16, W = (32+1+3-3)/2+1 = 17. No bias input.
  const auto& c2 = m.layer("c2").as<Conv2dAttrs>();
  EXPECT_EQ(c2.padding, (Padding{0, 1, 2, 3}));
  EXPECT_EQ(c2.stride, (Hw{2, 2}));
  EXPECT_FALSE(c2.bias);
  EXPECT_EQ(m.shape("c2"), Shape::chw(16, 16, 17));
  // c3: group 4 (weight [16,4,3,3]), dilation 2, pads 2: span 5, H = 16+4-5+1 = 16, W = 17.
  const auto& c3 = m.layer("c3").as<Conv2dAttrs>();
  EXPECT_EQ(c3.groups, 4);
  EXPECT_EQ(c3.dilation, (Hw{2, 2}));
  EXPECT_EQ(m.shape("c3"), Shape::chw(16, 16, 17));
  // c4: SAME_UPPER, stride 2: out = ceil(16/2) = 8, ceil(17/2) = 9. Padding needed:
  // H (8-1)*2+3-16 = 1 -> 0 before, 1 after; W (9-1)*2+3-17 = 2 -> 1 and 1.
  EXPECT_EQ(m.layer("c4").as<Conv2dAttrs>().padding, (Padding{0, 1, 1, 1}));
  EXPECT_EQ(m.shape("c4"), Shape::chw(8, 8, 9));
  // c5: SAME_LOWER, 2x2, stride 1: 1 pixel of padding per axis, the odd one before.
  EXPECT_EQ(m.layer("c5").as<Conv2dAttrs>().padding, (Padding{1, 1, 0, 0}));
  EXPECT_EQ(m.shape("c5"), Shape::chw(8, 8, 9));
  // c6: VALID, dilation [1,2]: H = 8-3+1 = 6, W = 9-5+1 = 5.
  EXPECT_EQ(m.layer("c6").as<Conv2dAttrs>().padding, (Padding{0, 0, 0, 0}));
  EXPECT_EQ(m.layer("c6").as<Conv2dAttrs>().dilation, (Hw{1, 2}));
  EXPECT_EQ(m.shape("c6"), Shape::chw(4, 6, 5));
  // c7: depthwise (group 4, weight [4,1,3,3]), stride [1,2], pads 1: H = 6, W = (5+2-3)/2+1 = 3.
  EXPECT_EQ(m.shape("c7"), Shape::chw(4, 6, 3));
  // MACs = H' W' C_out k_h k_w C_in/groups.
  EXPECT_EQ(m.macs("c1"), 32 * 32 * 8 * 3 * 3 * 3);
  EXPECT_EQ(m.macs("c2"), 16 * 17 * 16 * 3 * 3 * 8);
  EXPECT_EQ(m.macs("c3"), 16 * 17 * 16 * 3 * 3 * 4);
  EXPECT_EQ(m.macs("c4"), 8 * 9 * 8 * 3 * 3 * 16);
  EXPECT_EQ(m.macs("c5"), 8 * 9 * 8 * 2 * 2 * 8);
  EXPECT_EQ(m.macs("c6"), 6 * 5 * 4 * 3 * 3 * 8);
  EXPECT_EQ(m.macs("c7"), 6 * 3 * 4 * 3 * 3 * 1);
  EXPECT_EQ(m.a.total_macs, 221184 + 313344 + 156672 + 82944 + 18432 + 8640 + 648);
}

TEST(OnnxFixtures, PoolingGemmMatMul) {
  Loaded m = load("pools");
  // The Add after MatMul is its bias: no layer of its own.
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"p1", "p2", "p3", "p4", "p5", "gap", "fl", "g1", "m1", "sm"}));
  // p1: 3x3/2 pads 1 on 18: (18+2-3)/2+1 = 9.
  EXPECT_EQ(m.shape("p1"), Shape::chw(4, 9, 9));
  // p2: 2x2/2 ceil_mode on 9: ceil(7/2)+1 = 5 (floor would give 4; the last window starts at 8 < 9).
  EXPECT_TRUE(m.layer("p2").as<Pool2dAttrs>().ceil_mode);
  EXPECT_EQ(m.shape("p2"), Shape::chw(4, 5, 5));
  // p3: 2x2 dilation 2, ONNX's default stride 1 (not the kernel): span 3, 5-3+1 = 3.
  EXPECT_EQ(m.layer("p3").as<Pool2dAttrs>().stride, (Hw{1, 1}));
  EXPECT_EQ(m.layer("p3").as<Pool2dAttrs>().dilation, (Hw{2, 2}));
  EXPECT_EQ(m.shape("p3"), Shape::chw(4, 3, 3));
  // p4: average 3x3/1 pads 1, count_include_pad=1.
  EXPECT_EQ(m.layer("p4").kind, OpKind::avgpool2d);
  EXPECT_TRUE(m.layer("p4").as<Pool2dAttrs>().count_include_pad);
  EXPECT_EQ(m.shape("p4"), Shape::chw(4, 3, 3));
  // p5: SAME_UPPER 2x2/2 on 3: out ceil(3/2) = 2, padding (2-1)*2+2-3 = 1, after; ONNX's
  // count_include_pad default is 0.
  EXPECT_EQ(m.layer("p5").as<Pool2dAttrs>().padding, (Padding{0, 0, 1, 1}));
  EXPECT_FALSE(m.layer("p5").as<Pool2dAttrs>().count_include_pad);
  EXPECT_EQ(m.shape("p5"), Shape::chw(4, 2, 2));
  EXPECT_EQ(m.layer("gap").kind, OpKind::adaptive_avgpool2d);
  EXPECT_EQ(m.layer("gap").as<AdaptivePoolAttrs>().output_size, (Hw{1, 1}));
  EXPECT_EQ(m.shape("fl"), Shape::features(4));
  // Gemm with transB=1: weight [out, in] = [6, 4]; bias C given.
  EXPECT_EQ(m.layer("g1").as<LinearAttrs>(), (LinearAttrs{6, true}));
  // MatMul weight [in, out] = [6, 5], then Add of a [5] constant: linear with bias.
  EXPECT_EQ(m.layer("m1").as<LinearAttrs>(), (LinearAttrs{5, true}));
  EXPECT_EQ(m.shape("sm"), Shape::features(5));
  EXPECT_EQ(m.a.total_macs, 4 * 6 + 6 * 5);
  EXPECT_EQ(m.a.total_params, (4 * 6 + 6) + (6 * 5 + 5));
}

TEST(OnnxFixtures, ActivationsAndMerges) {
  Loaded m = load("activations");
  EXPECT_EQ(m.layer("bn").kind, OpKind::batchnorm);
  EXPECT_FLOAT_EQ(m.layer("bn").as<BatchNormAttrs>().eps, 1e-3f);
  // Clip with min 0 and max 6 from Constant nodes: relu6.
  EXPECT_EQ(m.layer("relu6").kind, OpKind::relu6);
  EXPECT_FLOAT_EQ(m.layer("leaky").as<LeakyReluAttrs>().negative_slope, 0.2f);
  // HardSigmoid without attributes: ONNX's alpha 0.2, beta 0.5 (not PyTorch's 1/6).
  EXPECT_FLOAT_EQ(m.layer("hsig").as<HardSigmoidAttrs>().alpha, 0.2f);
  EXPECT_DOUBLE_EQ(m.layer("hsig").as<HardSigmoidAttrs>().beta, 0.5);
  EXPECT_EQ(m.layer("hswish").kind, OpKind::hardswish);
  EXPECT_EQ(m.layer("sig").kind, OpKind::sigmoid);
  // Clip bounds from inline initializers (-1, 1).
  EXPECT_EQ(m.layer("clip11").kind, OpKind::clip);
  EXPECT_EQ(m.layer("clip11").as<ClipAttrs>(), (ClipAttrs{-1.0, 1.0}));
  // Mul([1,8,1,1], [1,8,8,8]) is the squeeze-excitation scale: the full tensor goes first.
  const Layer& mul = m.layer("se_mul");
  ASSERT_EQ(mul.inputs.size(), 2u);
  EXPECT_EQ(m.g.layer(mul.inputs[0]).name, "clip11");
  EXPECT_EQ(m.g.layer(mul.inputs[1]).name, "se_pool");
  EXPECT_EQ(m.shape("se_mul"), Shape::chw(8, 8, 8));
  EXPECT_EQ(m.layer("add").kind, OpKind::add);
  EXPECT_EQ(m.shape("cat"), Shape::chw(16, 8, 8));
  EXPECT_FLOAT_EQ(m.layer("drop").as<DropoutAttrs>().p, 0.3f);
  EXPECT_EQ(m.layer("ident").kind, OpKind::identity);
  EXPECT_EQ(m.layer("lrn").as<LrnAttrs>().size, 5);
  EXPECT_EQ(m.macs("conv"), 8 * 8 * 4 * 1 * 1 * 16);
  // Clip with a min input only: max is the float range, ONNX's "no bound".
  EXPECT_EQ(m.layer("clip_min_only").as<ClipAttrs>(), (ClipAttrs{0.0, std::numeric_limits<float>::max()}));
  EXPECT_EQ(m.a.total_macs, 8 * 8 * 4 * 16);
  // batch-norm 2C parameters, conv 4*16 (no bias).
  EXPECT_EQ(m.a.total_params, 2 * 8 + 4 * 16);
}

TEST(OnnxFixtures, Opset9Forms) {
  Loaded m = load("legacy_opset9");
  // Pad (attribute pads [0,0,1,1,0,0,1,1]: 1 on each side of H and W) folded into the conv.
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"conv", "clip", "up", "pool", "drop", "flat", "fc", "prob"}));
  EXPECT_EQ(m.layer("conv").as<Conv2dAttrs>().padding, (Padding{1, 1, 1, 1}));
  EXPECT_EQ(m.shape("conv"), Shape::chw(6, 10, 10));
  EXPECT_EQ(m.layer("clip").kind, OpKind::relu6);  // opset-6 min/max attributes 0 and 6
  EXPECT_EQ(m.layer("up").as<UpsampleAttrs>().scale, (Hw{2, 2}));
  EXPECT_EQ(m.shape("up"), Shape::chw(6, 20, 20));
  EXPECT_EQ(m.shape("pool"), Shape::chw(6, 10, 10));
  EXPECT_FLOAT_EQ(m.layer("drop").as<DropoutAttrs>().p, 0.25f);
  EXPECT_EQ(m.shape("flat"), Shape::features(600));
  EXPECT_EQ(m.layer("fc").as<LinearAttrs>(), (LinearAttrs{10, true}));
  EXPECT_EQ(m.layer("prob").kind, OpKind::softmax);
  EXPECT_EQ(m.a.total_macs, 10 * 10 * 6 * 27 + 600 * 10);
}

TEST(OnnxFixtures, UpsampleScalesAttribute) {
  Loaded m = load("upsample_opset7");
  EXPECT_EQ(m.layer("up").as<UpsampleAttrs>().scale, (Hw{3, 2}));
  EXPECT_EQ(m.shape("up"), Shape::chw(2, 9, 8));
}

TEST(OnnxFixtures, PadFolding) {
  Loaded m = load("pad_fold");
  EXPECT_EQ(names(m.g),
            (std::vector<std::string>{"conv_a", "relu", "mp_zero", "mp_edge", "mp_reflect", "ap_zero", "conv_out"}));
  // Pad [0,0,1,2,0,0,3,0] (H: 1 before, 3 after; W: 2 before, 0 after) plus the conv's own 1:
  // top 2, left 3, bottom 4, right 1 -> H = 12+6-3+1 = 16, W = 12+4-3+1 = 14.
  EXPECT_EQ(m.layer("conv_a").as<Conv2dAttrs>().padding, (Padding{2, 3, 4, 1}));
  EXPECT_EQ(m.shape("conv_a"), Shape::chw(4, 16, 14));
  EXPECT_EQ(m.macs("conv_a"), 16 * 14 * 4 * 9 * 4);
  // Zeros before a max pool after ReLU: max(x >= 0, 0) = max(x): pads 1. (16+2-3)/2+1 = 8, (14+2-3)/2+1 = 7.
  EXPECT_EQ(m.layer("mp_zero").as<Pool2dAttrs>().padding, (Padding{1, 1, 1, 1}));
  EXPECT_EQ(m.shape("mp_zero"), Shape::chw(4, 8, 7));
  // Edge padding copies a border element every window also reads: (8+2-3)/2+1 = 4, (7+2-3)/2+1 = 4.
  EXPECT_EQ(m.layer("mp_edge").as<Pool2dAttrs>().padding, (Padding{1, 1, 1, 1}));
  EXPECT_EQ(m.shape("mp_edge"), Shape::chw(4, 4, 4));
  // Reflect: a 3-wide window over row -1 also covers row 1, which row -1 copies. 4+2-3+1 = 4.
  EXPECT_EQ(m.shape("mp_reflect"), Shape::chw(4, 4, 4));
  // Zeros before an average pool count in the average: count_include_pad. (4+2-2)/2+1 = 3.
  EXPECT_TRUE(m.layer("ap_zero").as<Pool2dAttrs>().count_include_pad);
  EXPECT_EQ(m.layer("ap_zero").as<Pool2dAttrs>().padding, (Padding{1, 1, 1, 1}));
  EXPECT_EQ(m.shape("ap_zero"), Shape::chw(4, 3, 3));
  // An all-zero Pad is the same tensor.
  EXPECT_EQ(m.g.layer(m.layer("conv_out").inputs[0]).name, "ap_zero");
  EXPECT_EQ(m.shape("conv_out"), Shape::chw(2, 3, 3));
}

TEST(OnnxFixtures, ResizeAndBlockOps) {
  Loaded m = load("resize");
  EXPECT_EQ(m.layer("r1").as<UpsampleAttrs>().scale, (Hw{2, 2}));
  EXPECT_EQ(m.shape("r1"), Shape::chw(2, 6, 8));
  // sizes [1,2,18,16] from [1,2,6,8]: scales 3 and 2.
  EXPECT_EQ(m.layer("r2").as<UpsampleAttrs>().scale, (Hw{3, 2}));
  EXPECT_EQ(m.shape("s2d"), Shape::chw(8, 9, 8));
  EXPECT_EQ(m.layer("s2d").as<BlockAttrs>().block_size, 2);
  EXPECT_EQ(m.shape("d2s"), Shape::chw(2, 18, 16));
}

TEST(OnnxFixtures, ReshapeChainFoldsToFlatten) {
  Loaded m = load("reshape_chain");
  // Shape/Gather/Unsqueeze/Concat compute [1, -1]: no layers; the dead Relu is dropped.
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"conv", "flat", "fc"}));
  EXPECT_EQ(m.layer("flat").kind, OpKind::flatten);
  EXPECT_EQ(m.shape("flat"), Shape::features(4 * 8 * 8));
  EXPECT_EQ(m.layer("fc").as<LinearAttrs>(), (LinearAttrs{10, false}));
  EXPECT_EQ(m.a.total_macs, 8 * 8 * 4 * 27 + 256 * 10);

  Loaded legacy = load("legacy_reshape");  // opset 11: Unsqueeze axes as an attribute
  EXPECT_EQ(names(legacy.g), (std::vector<std::string>{"conv", "flat", "mm"}));
  EXPECT_EQ(legacy.shape("flat"), Shape::features(48));
  EXPECT_EQ(legacy.layer("mm").as<LinearAttrs>(), (LinearAttrs{7, true}));  // Add(bias, MatMul)
  EXPECT_EQ(legacy.a.total_macs, 4 * 4 * 3 * 2 + 48 * 7);
}

TEST(OnnxFixtures, UnnamedNodesTakeTheirOutputNames) {
  Loaded m = load("squeeze_unnamed");
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"pooled", "squeezed", "logits"}));
  EXPECT_EQ(m.layer("squeezed").kind, OpKind::flatten);
  EXPECT_EQ(m.layer("pooled").origin, "node #0 (GlobalAveragePool) writing 'pooled'");
  EXPECT_EQ(m.shape("logits"), Shape::features(3));
}

TEST(OnnxFixtures, ClashingNodeNamesTakeTheirOutputNames) {
  Loaded m = load("clashing_names");
  // Two nodes named 'act' and one named 'input' (the model input's reserved name).
  EXPECT_EQ(names(m.g), (std::vector<std::string>{"act", "a2", "a3"}));
  EXPECT_EQ(m.layer("a2").origin, "node 'act' (Sigmoid)");
}

TEST(OnnxFixtures, SmallExternalValuesAreReadFromTheirFile) {
  // external_values.bin holds int64 [1, -1] at byte 0 and float 0.5, 2.0 at bytes 16 and 20.
  Loaded m = load("external_values");
  EXPECT_EQ(m.layer("clip").as<ClipAttrs>(), (ClipAttrs{0.5, 2.0}));
  EXPECT_EQ(m.layer("flat").kind, OpKind::flatten);
  EXPECT_EQ(m.shape("flat"), Shape::features(2 * 3 * 3));
}

TEST(OnnxFixtures, InlineWeightsAreNotNeeded) {
  Loaded m = load("inline_weights");
  EXPECT_EQ(m.layer("conv").as<Conv2dAttrs>().out_channels, 16);
  EXPECT_TRUE(m.layer("conv").as<Conv2dAttrs>().bias);
  EXPECT_EQ(m.macs("conv"), 8 * 8 * 16 * 9 * 16);
  EXPECT_EQ(m.shape("flat"), Shape::features(1024));
}

TEST(OnnxFixtures, ModelMetadata) {
  Loaded m = load("pools");
  EXPECT_EQ(m.g.name, "pools");
  EXPECT_EQ(m.g.dtype_bytes, 4);
  EXPECT_EQ(m.g.source, "ONNX file pools.onnx (tools/make_onnx_fixtures.py, opset 13), imported by edgepart");
}

}  // namespace
}  // namespace edgepart::model
