// The zoo's weight-free ONNX exports (models/<name>.onnx, tools/export_torchvision.py: opset 13,
// external data deleted) against the JSON models traced from the same torchvision modules
// (models/<name>.json). The JSON side is independent of the ONNX loader: torch.fx tracing,
// verified by the exporter against torch's own shapes, parameter counts and hook-counted MACs.
// Layer names differ, and torch folds batch-norm into the preceding conv (so the ONNX files
// have fewer layers, conv biases and different parameter counts); what must agree exactly is
// the output shape, the total MACs and the sequence of conv layers (attributes and shapes).
#include <gtest/gtest.h>

#include <filesystem>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"

namespace edgepart::model {
namespace {

namespace fs = std::filesystem;

struct ConvRow {
  int64_t out_channels, groups;
  Hw kernel, stride, dilation;
  Padding padding;
  Shape shape;
  bool operator==(const ConvRow&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ConvRow& r) {
  return os << "conv " << r.out_channels << " k" << r.kernel.h << "x" << r.kernel.w << " s" << r.stride.h << "x"
            << r.stride.w << " d" << r.dilation.h << " p" << r.padding.top << "," << r.padding.left << ","
            << r.padding.bottom << "," << r.padding.right << " g" << r.groups << " -> " << r.shape.to_string();
}

std::vector<ConvRow> conv_rows(const ModelGraph& g, const cost::ModelAnalysis& a) {
  std::vector<ConvRow> rows;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g.layers[i].kind != OpKind::conv2d) continue;
    const auto& c = g.layers[i].as<Conv2dAttrs>();
    rows.push_back({c.out_channels, c.groups, c.kernel, c.stride, c.dilation, c.padding, a.shapes[i]});
  }
  return rows;
}

class OnnxZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxZoo, MatchesTheJsonModel) {
  fs::path dir = fs::path(EDGEPART_SOURCE_DIR) / "models";
  std::string name = GetParam();
  ASSERT_FALSE(fs::exists(dir / (name + ".onnx.data"))) << "the zoo exports must stay weight-free";
  ModelGraph onnx = load_model((dir / (name + ".onnx")).string());
  ModelGraph json = load_model((dir / (name + ".json")).string());
  auto a = cost::analyze(onnx);
  auto b = cost::analyze(json);
  EXPECT_EQ(onnx.input, json.input);
  EXPECT_EQ(a.shapes.back(), b.shapes.back());
  EXPECT_EQ(a.total_macs, b.total_macs);
  auto ra = conv_rows(onnx, a), rb = conv_rows(json, b);
  ASSERT_EQ(ra.size(), rb.size());
  for (size_t i = 0; i < ra.size(); ++i) EXPECT_EQ(ra[i], rb[i]) << "conv #" << i;
  // Every layer's origin names its ONNX node.
  for (const auto& l : onnx.layers) EXPECT_EQ(l.origin.rfind("node '", 0), 0u) << l.origin;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, OnnxZoo,
                         ::testing::Values("alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "googlenet",
                                           "squeezenet1_1", "densenet121"));

// Known figures for two models, from torchvision's documentation (GFLOPS there are GMACs, to two
// decimals) and from the exporter's hook-counted totals in models/README.md.
TEST(OnnxZoo, PublishedTotals) {
  fs::path dir = fs::path(EDGEPART_SOURCE_DIR) / "models";
  auto macs = [&](const char* name) { return cost::analyze(load_model((dir / name).string())).total_macs; };
  EXPECT_NEAR(static_cast<double>(macs("resnet18.onnx")) / 1e9, 1.81, 0.005);
  EXPECT_NEAR(static_cast<double>(macs("vgg16.onnx")) / 1e9, 15.47, 0.005);
  // resnet18's last layer is the 512 -> 1000 classifier.
  ModelGraph r = load_model((dir / "resnet18.onnx").string());
  EXPECT_EQ(r.layers.back().as<LinearAttrs>(), (LinearAttrs{1000, true}));
}

}  // namespace
}  // namespace edgepart::model
