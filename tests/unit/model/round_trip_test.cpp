// model_to_json -> model_from_json reproduces every zoo graph exactly (the `import` path writes
// files with model_to_json_text, so both writers are checked).
#include <gtest/gtest.h>

#include "edgepart/model/load.hpp"

namespace edgepart::model {
namespace {

// Everything but `file`, which names where a graph was read from, not what it is.
void expect_same_graph(const ModelGraph& a, const ModelGraph& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.dtype_bytes, b.dtype_bytes);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    // Origins are positions in the file; both writers keep the layer order, so they agree too.
    EXPECT_EQ(a.layers[i], b.layers[i]) << "layer " << i << " '" << a.layers[i].name << "'";
  }
  EXPECT_EQ(a.content_hash(), b.content_hash());
}

class ZooRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooRoundTrip, ThroughJsonValue) {
  ModelGraph g = load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + GetParam() + ".json");
  std::vector<InputError> errors;
  ModelGraph back = model_from_json(model_to_json(g), "round-trip", errors);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  expect_same_graph(g, back);
}

TEST_P(ZooRoundTrip, ThroughJsonText) {
  ModelGraph g = load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + GetParam() + ".json");
  std::string text = model_to_json_text(g);
  std::vector<InputError> errors;
  ModelGraph back = model_from_json(parse_json_text(text, "round-trip"), "round-trip", errors);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  expect_same_graph(g, back);
  // Writing the re-read graph gives the same bytes: the text form is a fixed point.
  EXPECT_EQ(model_to_json_text(back), text);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooRoundTrip,
                         ::testing::Values("alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2",
                                           "googlenet", "squeezenet1_1", "densenet121", "yolov2",
                                           "yolov2_tiny"));

TEST(RoundTrip, EveryAttributeFormSurvives) {
  // Non-default values of every attribute family, including asymmetric padding and [h, w] pairs.
  const char* text = R"({"format": "edgepart.model", "version": 1, "name": "all", "source": "test",
    "input": [8, 32, 32], "dtype_bytes": 2, "layers": [
    {"name": "c", "op": "conv2d", "out_channels": 8, "kernel": [3, 5], "stride": [2, 1],
     "padding": [1, 2, 0, 3], "dilation": [1, 2], "groups": 4, "bias": false},
    {"name": "p", "op": "maxpool2d", "kernel": 3, "stride": 2, "padding": [1, 0], "ceil_mode": true},
    {"name": "a", "op": "avgpool2d", "kernel": 2, "count_include_pad": false},
    {"name": "bn", "op": "batchnorm", "eps": 0.001},
    {"name": "cl", "op": "clip", "min": -1.5, "max": 2.25},
    {"name": "r6", "op": "relu6"},
    {"name": "lr", "op": "leaky_relu", "negative_slope": 0.1},
    {"name": "hs", "op": "hardsigmoid", "alpha": 0.2, "beta": 0.4},
    {"name": "lrn", "op": "lrn", "size": 3, "alpha": 0.001, "beta": 0.5, "k": 2},
    {"name": "up", "op": "upsample", "scale": [2, 3]},
    {"name": "s2d", "op": "space_to_depth", "block_size": 2},
    {"name": "d2s", "op": "depth_to_space", "block_size": 2},
    {"name": "side", "op": "identity", "inputs": ["input"]},
    {"name": "ad", "op": "adaptive_avgpool2d", "output_size": [2, 3], "inputs": ["d2s"]},
    {"name": "dr", "op": "dropout", "p": 0.2},
    {"name": "f", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 5, "bias": false}]})";
  std::vector<InputError> errors;
  ModelGraph g = model_from_json(parse_json_text(text, "t"), "t", errors);
  ASSERT_TRUE(errors.empty()) << errors.front().what();
  ModelGraph back = model_from_json(model_to_json(g), "t", errors);
  ASSERT_TRUE(errors.empty()) << errors.front().what();
  expect_same_graph(g, back);
  ModelGraph back_text = model_from_json(parse_json_text(model_to_json_text(g), "t"), "t", errors);
  ASSERT_TRUE(errors.empty()) << errors.front().what();
  expect_same_graph(g, back_text);
}

}  // namespace
}  // namespace edgepart::model
