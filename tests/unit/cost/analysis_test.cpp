// Shape inference and costs per op (docs/design.md §3, docs/formats.md). Every expected value is derived by
// hand in the comment next to it, from the formulas in docs/formats.md and PyTorch's documented
// output-size rules (nn.Conv2d, nn.MaxPool2d "Shape" sections).
#include "edgepart/cost/analysis.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/model_text.hpp"

namespace edgepart::cost {
namespace {

using edgepart::testing::model_from_text;
using edgepart::testing::model_json;
using ::testing::HasSubstr;

ModelAnalysis analyze_text(const std::string& input, const std::string& layers) {
  return analyze(model_from_text(model_json(input, layers)));
}

// The InputError shape inference throws for a structurally valid model.
InputError shape_error(const std::string& input, const std::string& layers) {
  auto g = model_from_text(model_json(input, layers));
  try {
    analyze(g);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a shape error";
  return InputError("", "", "");
}

TEST(WindowOutputSize, FloorAndCeilMode) {
  // floor((in + pb + pe - d(k-1) - 1)/s) + 1
  EXPECT_EQ(window_output_size(224, 3, 1, 1, 1, 1, false), 224);  // (224+2-3)/1+1
  EXPECT_EQ(window_output_size(224, 7, 2, 1, 3, 3, false), 112);  // floor(223/2)+1 = 111+1
  EXPECT_EQ(window_output_size(7, 2, 2, 1, 0, 0, false), 3);      // floor(5/2)+1
  EXPECT_EQ(window_output_size(7, 2, 2, 1, 0, 0, true), 4);       // ceil(5/2)+1; start 6 < 7: kept
  // GoogLeNet's maxpool1 (k3 s2 ceil_mode) on 112: ceil(109/2)+1 = 56; floor gives 55.
  EXPECT_EQ(window_output_size(112, 3, 2, 1, 0, 0, true), 56);
  EXPECT_EQ(window_output_size(112, 3, 2, 1, 0, 0, false), 55);
  // Kernel does not fit: 3 + 0 - 5 < 0.
  EXPECT_LE(window_output_size(3, 5, 1, 1, 0, 0, false), 0);
}

TEST(WindowOutputSize, CeilModeLastWindowMayNotStartInTheEndPadding) {
  // in 5, k 2, s 2, pad 1+1: padded length 7, ceil((7-2)/2)+1 = 4 windows at padded offsets
  // 0, 2, 4, 6. The fourth starts at 6 = in + pad_begin, i.e. entirely in the end padding, so
  // PyTorch drops it: 3 (nn.MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5x5 gives 3x3).
  EXPECT_EQ(window_output_size(5, 2, 2, 1, 1, 1, true), 3);
  // in 6, k 3, s 3, pad 1+1: padded 8, ceil(5/3)+1 = 3; the third starts at 6 < 6+1: kept.
  EXPECT_EQ(window_output_size(6, 3, 3, 1, 1, 1, true), 3);
  EXPECT_EQ(window_output_size(6, 3, 3, 1, 1, 1, false), 2);  // floor(5/3)+1
}

TEST(Shapes, ConvWithDilation) {
  // k3 d2 spans d(k-1)+1 = 5: floor((32 - 5)/1) + 1 = 28; with padding 2: floor(31/1)+1 = 32.
  auto a = analyze_text("[3, 32, 32]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 8, "kernel": 3, "dilation": 2},
    {"name": "b", "op": "conv2d", "out_channels": 8, "kernel": 3, "dilation": 2, "padding": 2, "inputs": ["input"]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(8, 28, 28));
  EXPECT_EQ(a.shapes[1], Shape::chw(8, 32, 32));
  // MACs = H'W' C_out k_h k_w C_in = 28*28*8*3*3*3 = 784*216 = 169,344.
  EXPECT_EQ(a.layers[0].macs, 169344);
  EXPECT_EQ(a.layers[0].flops, 2 * 169344);
  // params = C_out C_in k_h k_w + C_out = 8*3*9 + 8 = 224.
  EXPECT_EQ(a.layers[0].params, 224);
}

TEST(Shapes, ConvWithAsymmetricPaddingAndStride) {
  // padding [top 1, left 2, bottom 0, right 1], k3 s2 on 10x10:
  // H' = floor((10 + 1 + 0 - 3)/2) + 1 = 4 + 1 = 5; W' = floor((10 + 2 + 1 - 3)/2) + 1 = 5 + 1 = 6.
  auto a = analyze_text("[4, 10, 10]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 2, "kernel": 3, "stride": 2, "padding": [1, 2, 0, 1]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(2, 5, 6));
  // Non-square kernel [1, 7], padding [0, 3]: H' = 10, W' = floor((10+6-7)/1)+1 = 10.
  a = analyze_text("[4, 10, 10]", R"({"name": "a", "op": "conv2d", "out_channels": 2, "kernel": [1, 7], "padding": [0, 3]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(2, 10, 10));
  // MACs = 10*10*2*1*7*4 = 5,600; params = 2*4*7 + 2 = 58.
  EXPECT_EQ(a.layers[0].macs, 5600);
  EXPECT_EQ(a.layers[0].params, 58);
}

TEST(Shapes, GroupedConv) {
  // groups 4 on 8 channels: each output channel sees 8/4 = 2 input channels.
  auto a = analyze_text("[8, 16, 16]", R"(
    {"name": "g", "op": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1, "groups": 4})");
  EXPECT_EQ(a.shapes[0], Shape::chw(16, 16, 16));
  // MACs = 16*16*16*3*3*2 = 4096*18 = 73,728; params = 16*2*9 + 16 = 304.
  EXPECT_EQ(a.layers[0].macs, 73728);
  EXPECT_EQ(a.layers[0].params, 304);
}

TEST(Shapes, DepthwiseConv) {
  // MobileNetV2's first depthwise conv (features.1.conv.0.0): 32 channels, 112x112, k3 p1,
  // groups 32, no bias. MACs = 112*112*32*3*3*1 = 12544*288 = 3,612,672; params = 32*1*9 = 288.
  auto a = analyze_text("[32, 112, 112]", R"(
    {"name": "dw", "op": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1, "groups": 32, "bias": false})");
  EXPECT_EQ(a.shapes[0], Shape::chw(32, 112, 112));
  EXPECT_EQ(a.layers[0].macs, 3612672);
  EXPECT_EQ(a.layers[0].params, 288);
}

TEST(Shapes, ConvErrors) {
  auto e = shape_error("[3, 8, 8]", R"({"name": "g", "op": "conv2d", "out_channels": 4, "kernel": 1, "groups": 2})");
  EXPECT_EQ(e.where(), "/layers/0");
  EXPECT_EQ(e.message(), "layer 'g' (conv2d): input channels 3 are not divisible by groups 2");
  e = shape_error("[4, 8, 8]", R"({"name": "g", "op": "conv2d", "out_channels": 3, "kernel": 1, "groups": 2})");
  EXPECT_THAT(e.message(), HasSubstr("out_channels 3 are not divisible by groups 2"));
  // 11x11 kernel on 8 + 2*1 = 10 padded rows.
  e = shape_error("[3, 8, 8]", R"({"name": "big", "op": "conv2d", "out_channels": 4, "kernel": 11, "padding": 1})");
  EXPECT_THAT(e.message(), HasSubstr("larger than the padded input 10x10"));
}

TEST(Shapes, MaxPoolCeilMode) {
  // 7x7, k2 s2: floor gives 3, ceil gives 4.
  auto a = analyze_text("[5, 7, 7]", R"(
    {"name": "f", "op": "maxpool2d", "kernel": 2},
    {"name": "c", "op": "maxpool2d", "kernel": 2, "ceil_mode": true, "inputs": ["input"]},
    {"name": "p", "op": "maxpool2d", "kernel": 2, "stride": 2, "padding": 1, "ceil_mode": true, "inputs": ["input"]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(5, 3, 3));
  EXPECT_EQ(a.shapes[1], Shape::chw(5, 4, 4));
  // padding 1: padded 9, ceil((9-2)/2)+1 = 5; 5th window starts at 8 >= 7+1: dropped -> 4.
  EXPECT_EQ(a.shapes[2], Shape::chw(5, 4, 4));
  // Pooling: no MACs or params, one op per output element: 5*4*4 = 80.
  EXPECT_EQ(a.layers[1].macs, 0);
  EXPECT_EQ(a.layers[1].params, 0);
  EXPECT_EQ(a.layers[1].flops, 80);
  // The "last window starts in the padding" case through a model: 5x5, k2 s2 p1 ceil -> 3x3.
  a = analyze_text("[1, 5, 5]", R"({"name": "p", "op": "maxpool2d", "kernel": 2, "padding": 1, "ceil_mode": true})");
  EXPECT_EQ(a.shapes[0], Shape::chw(1, 3, 3));
}

TEST(Shapes, AvgPoolAndAdaptive) {
  // k3 s2 p1 on 7: floor((7+2-3)/2)+1 = 4.
  auto a = analyze_text("[16, 7, 7]", R"(
    {"name": "avg", "op": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["input"]},
    {"name": "ad", "op": "adaptive_avgpool2d", "output_size": [2, 3], "inputs": ["input"]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(16, 4, 4));
  EXPECT_EQ(a.shapes[1], Shape::chw(16, 1, 1));
  EXPECT_EQ(a.shapes[2], Shape::chw(16, 2, 3));
  EXPECT_EQ(a.layers[0].flops, 16 * 4 * 4);
  EXPECT_EQ(a.layers[1].flops, 16);
}

TEST(Shapes, FlattenAndLinear) {
  // VGG-16's head: [512,7,7] -> 25,088 features -> 4096.
  auto a = analyze_text("[512, 7, 7]", R"(
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 4096},
    {"name": "fc2", "op": "linear", "out_features": 10, "bias": false})");
  EXPECT_EQ(a.shapes[0], Shape::features(25088));
  EXPECT_EQ(a.shapes[1], Shape::features(4096));
  EXPECT_EQ(a.layers[0].flops, 0);  // flatten moves no data in NCHW
  // MACs = in*out = 25088*4096 = 102,760,448; params = MACs + 4096 = 102,764,544.
  EXPECT_EQ(a.layers[1].macs, 102760448);
  EXPECT_EQ(a.layers[1].params, 102764544);
  EXPECT_EQ(a.layers[1].flops, 205520896);
  EXPECT_EQ(a.layers[2].params, 40960);  // 4096*10, no bias
  // Output bytes: 4096 fp32 = 16,384.
  EXPECT_EQ(a.layers[1].output_bytes, 16384);
}

TEST(Shapes, FlatInputToConvAndLinearWithoutFlatten) {
  auto e = shape_error("[8, 4, 4]", R"(
    {"name": "f", "op": "flatten"},
    {"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 1})");
  EXPECT_EQ(e.where(), "/layers/1");
  EXPECT_EQ(e.message(), "layer 'c' (conv2d): needs a [C,H,W] input (got [128])");
  e = shape_error("[8, 4, 4]", R"({"name": "fc", "op": "linear", "out_features": 10})");
  EXPECT_EQ(e.message(), "layer 'fc' (linear): needs a flat input (got [8,4,4]; add a flatten layer)");
}

TEST(Shapes, AddMulConcat) {
  auto a = analyze_text("[64, 8, 8]", R"(
    {"name": "x", "op": "relu"},
    {"name": "sum", "op": "add", "inputs": ["input", "x", "x"]},
    {"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1},
    {"name": "se", "op": "mul", "inputs": ["sum", "gap"]},
    {"name": "m2", "op": "mul", "inputs": ["sum", "x"]},
    {"name": "narrow", "op": "conv2d", "out_channels": 16, "kernel": 1, "inputs": ["x"]},
    {"name": "cat", "op": "concat", "inputs": ["narrow", "x", "input"]})");
  EXPECT_EQ(a.shapes[1], Shape::chw(64, 8, 8));
  EXPECT_EQ(a.layers[1].flops, 64 * 8 * 8);  // one op per output element
  EXPECT_EQ(a.shapes[3], Shape::chw(64, 8, 8));  // [C,1,1] broadcast over H, W
  EXPECT_EQ(a.layers[3].flops, 4096);
  EXPECT_EQ(a.shapes[4], Shape::chw(64, 8, 8));
  // Channels summed: 16 + 64 + 64 = 144; concat moves data only.
  EXPECT_EQ(a.shapes[6], Shape::chw(144, 8, 8));
  EXPECT_EQ(a.layers[6].flops, 0);
}

TEST(Shapes, AddMulConcatErrors) {
  auto e = shape_error("[64, 8, 8]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 32, "kernel": 1},
    {"name": "sum", "op": "add", "inputs": ["input", "c"]})");
  EXPECT_EQ(e.where(), "/layers/1");
  EXPECT_THAT(e.message(), HasSubstr("equal shapes (got [64,8,8] and [32,8,8])"));
  e = shape_error("[64, 8, 8]", R"(
    {"name": "p", "op": "maxpool2d", "kernel": 2},
    {"name": "cat", "op": "concat", "inputs": ["input", "p"]})");
  EXPECT_THAT(e.message(), HasSubstr("equal height and width (got [64,8,8] and [64,4,4])"));
  e = shape_error("[64, 8, 8]", R"(
    {"name": "c", "op": "conv2d", "out_channels": 32, "kernel": 8},
    {"name": "m", "op": "mul", "inputs": ["input", "c"]})");
  EXPECT_THAT(e.message(), HasSubstr("second input must equal the first or be [C,1,1]"));
}

TEST(Shapes, UpsampleSpaceToDepthDepthToSpace) {
  // YOLOv2's reorg: [64,26,26] -> [64*2*2, 13, 13] = [256,13,13].
  auto a = analyze_text("[64, 26, 26]", R"(
    {"name": "reorg", "op": "space_to_depth", "block_size": 2},
    {"name": "back", "op": "depth_to_space", "block_size": 2},
    {"name": "up", "op": "upsample", "scale": 2, "inputs": ["reorg"]},
    {"name": "up23", "op": "upsample", "scale": [2, 3], "inputs": ["reorg"]})");
  EXPECT_EQ(a.shapes[0], Shape::chw(256, 13, 13));
  EXPECT_EQ(a.shapes[1], Shape::chw(64, 26, 26));
  EXPECT_EQ(a.shapes[2], Shape::chw(256, 26, 26));
  EXPECT_EQ(a.shapes[3], Shape::chw(256, 26, 39));
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(a.layers[i].flops, 0) << i;  // data movement only
  // 256*13*13 fp32 = 43,264 elements * 4 = 173,056 bytes.
  EXPECT_EQ(a.layers[0].output_bytes, 173056);
  auto e = shape_error("[64, 13, 13]", R"({"name": "reorg", "op": "space_to_depth", "block_size": 2})");
  EXPECT_THAT(e.message(), HasSubstr("divisible by block_size 2"));
  e = shape_error("[6, 4, 4]", R"({"name": "d2s", "op": "depth_to_space", "block_size": 2})");
  EXPECT_THAT(e.message(), HasSubstr("divisible by block_size^2 = 4"));
}

TEST(Costs, ElementwiseOpsAndBatchNorm) {
  // [8,4,4] = 128 elements.
  auto a = analyze_text("[8, 4, 4]", R"(
    {"name": "bn", "op": "batchnorm"},
    {"name": "r", "op": "relu"},
    {"name": "r6", "op": "relu6"},
    {"name": "s", "op": "sigmoid"},
    {"name": "l", "op": "lrn", "size": 5},
    {"name": "sm", "op": "softmax"},
    {"name": "d", "op": "dropout"},
    {"name": "i", "op": "identity"})");
  EXPECT_EQ(a.layers[0].params, 16);  // batch-norm: scale and shift, 2C = 16
  EXPECT_EQ(a.layers[0].macs, 0);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(a.layers[i].flops, 128) << i;
  EXPECT_EQ(a.layers[6].flops, 0);  // dropout and identity: no work at inference
  EXPECT_EQ(a.layers[7].flops, 0);
  for (const auto& c : a.layers) EXPECT_EQ(c.output_bytes, 512);  // 128 * 4
  // Totals add up: 6 * 128 = 768 FLOPs, 16 params, 0 MACs.
  EXPECT_EQ(a.total_flops, 768);
  EXPECT_EQ(a.total_params, 16);
  EXPECT_EQ(a.total_macs, 0);
}

TEST(Costs, DtypeBytesScalesOutputBytes) {
  auto g = model_from_text(R"({"format": "edgepart.model", "version": 1, "name": "t", "input": [8, 4, 4],
    "dtype_bytes": 2, "layers": [{"name": "r", "op": "relu"}]})");
  EXPECT_EQ(analyze(g).layers[0].output_bytes, 256);  // 128 elements * 2 bytes
}

TEST(Costs, OverflowIsAnInputErrorNamingTheLayer) {
  // 2^31 * 2^31 * 2^31 = 2^93 elements do not fit 64 bits.
  auto e = shape_error("[2147483648, 2147483648, 2147483648]", R"({"name": "r", "op": "relu"})");
  EXPECT_EQ(e.where(), "/layers/0");
  EXPECT_EQ(e.message(), "layer 'r' (relu): sizes overflow 64-bit arithmetic");
  // [1024, 2^20, 2^20]: 2^50 elements fit, but conv MACs 2^50 * 3*3 * 1024 = 9 * 2^60 do not.
  e = shape_error("[1024, 1048576, 1048576]", R"({"name": "c", "op": "conv2d", "out_channels": 1024, "kernel": 3, "padding": 1})");
  EXPECT_EQ(e.message(), "layer 'c' (conv2d): sizes overflow 64-bit arithmetic");
}

}  // namespace
}  // namespace edgepart::cost
