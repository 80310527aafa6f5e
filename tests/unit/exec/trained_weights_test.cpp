// The reference executor with a model file's own weights (model::load_onnx_params ->
// exec::trained_params) against PyTorch's output for the same input: tests/data/onnx/trained/
// (tools/make_trained_fixture.py) holds a small CNN exported by PyTorch with its weights, the
// input and PyTorch's output. Conv with bias, BatchNorm with running statistics, a grouped conv,
// Gemm (transB=1) and MatMul + Add (transposed, Add folded as the bias) are all on the path.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/model/load.hpp"

namespace edgepart::exec {
namespace {

const std::string kDir = "tests/data/onnx/trained/";

std::vector<float> read_f32(const std::string& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> v(count);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(float)));
  EXPECT_TRUE(in.good()) << path;
  return v;
}

void expect_matches_torch(const std::string& file) {
  model::OnnxModelWithParams loaded = model::load_onnx_params(kDir + file);
  const model::ModelGraph& g = loaded.graph;
  cost::ModelAnalysis a = cost::analyze(g);
  Executor ex(g, a, 1, trained_params(g, a, loaded, file));
  Tensor input = Tensor::of_shape(g.input);
  input.data = read_f32(kDir + "input.f32", input.data.size());
  Tensor out = ex.run(input);
  std::vector<float> expected = read_f32(kDir + "expected.f32", 10);
  ASSERT_EQ(out.data.size(), expected.size());
  double max_abs = 0;
  for (float v : expected) max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(out.data[i], expected[i], 1e-5 * max_abs) << file << " output " << i;
}

TEST(TrainedWeights, InlineWeightsGivePyTorchsOutput) {
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  expect_matches_torch("small_cnn.onnx");
}

TEST(TrainedWeights, ExternalDataGivesPyTorchsOutput) {
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  expect_matches_torch("small_cnn_external.onnx");
}

TEST(TrainedWeights, SeededWeightsDoNotGivePyTorchsOutput) {
  // The check above can fail: the same graph with seeded weights is far from PyTorch's output.
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  model::ModelGraph g = model::load_onnx_model(kDir + "small_cnn.onnx");
  cost::ModelAnalysis a = cost::analyze(g);
  Tensor input = Tensor::of_shape(g.input);
  input.data = read_f32(kDir + "input.f32", input.data.size());
  Tensor out = Executor(g, a, 1).run(input);
  std::vector<float> expected = read_f32(kDir + "expected.f32", 10);
  double diff = 0;
  for (size_t i = 0; i < expected.size(); ++i) diff = std::max(diff, std::fabs(static_cast<double>(out.data[i] - expected[i])));
  EXPECT_GT(diff, 0.1);
}

TEST(TrainedWeights, LayersMatchInOrderWhenNamesDiffer) {
  // A model whose layers are named differently (as a zoo JSON is) takes the file's weights in order.
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  model::OnnxModelWithParams loaded = model::load_onnx_params(kDir + "small_cnn.onnx");
  model::ModelGraph renamed = loaded.graph;
  for (size_t i = 0; i < renamed.layers.size(); ++i) renamed.layers[i].name = "layer" + std::to_string(i);
  cost::ModelAnalysis a = cost::analyze(renamed);
  std::vector<LayerParams> by_order = trained_params(renamed, a, loaded, "small_cnn.onnx");
  std::vector<LayerParams> by_name = trained_params(loaded.graph, a, loaded, "small_cnn.onnx");
  for (size_t i = 0; i < by_name.size(); ++i) {
    EXPECT_EQ(by_order[i].weight, by_name[i].weight) << i;
    EXPECT_EQ(by_order[i].bias, by_name[i].bias) << i;
    EXPECT_EQ(by_order[i].scale, by_name[i].scale) << i;
  }
}

TEST(TrainedWeights, ADifferentNetworkIsRefused) {
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  model::OnnxModelWithParams loaded = model::load_onnx_params(kDir + "small_cnn.onnx");
  model::ModelGraph other = model::load_model("models/vgg16.json");
  cost::ModelAnalysis a = cost::analyze(other);
  EXPECT_THROW(trained_params(other, a, loaded, "small_cnn.onnx"), InputError);
}

TEST(TrainedWeights, MisfitNamesTheLayerAndBothSizes) {
  // small_cnn's /conv1/Conv: 8 x 3 x 3 x 3 = 216 weights and 8 biases (hand count).
  if (!model::kHaveOnnx) GTEST_SKIP() << "built without ONNX";
  model::ModelGraph g = model::load_onnx_model(kDir + "small_cnn.onnx");
  cost::ModelAnalysis a = cost::analyze(g);
  LayerParams fits{std::vector<float>(216), std::vector<float>(8), {}};
  EXPECT_EQ(params_misfit(g, a, 0, fits), "");
  LayerParams short_weights{std::vector<float>(215), std::vector<float>(8), {}};
  EXPECT_EQ(params_misfit(g, a, 0, short_weights),
            "layer '/conv1/Conv' (conv2d) takes 216 weights, 8 biases, 0 scales (got 215 weights, 8 biases, 0 scales)");
  LayerParams on_relu{std::vector<float>(1), {}, {}};
  EXPECT_NE(params_misfit(g, a, 1, on_relu), "");  // a layer without parameters takes none
}

}  // namespace
}  // namespace edgepart::exec
