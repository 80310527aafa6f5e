// The JSON model loader and the structural checks (docs/formats.md, docs/design.md §7). Expected defaults
// come from docs/formats.md (which follows PyTorch's defaults); pointers are read off the literal
// documents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "edgepart/model/load.hpp"
#include "support/model_text.hpp"

namespace edgepart::model {
namespace {

using edgepart::testing::model_errors;
using edgepart::testing::model_from_text;
using edgepart::testing::model_json;
using ::testing::HasSubstr;

// The single error of a model text (fails the test when there is not exactly one).
InputError only_error(const std::string& text) {
  auto errors = model_errors(text);
  if (errors.size() != 1u) {
    ADD_FAILURE() << "expected exactly one error, got " << errors.size();
    for (const auto& e : errors) ADD_FAILURE() << "error: " << e.what();
  }
  if (errors.empty()) return InputError("", "", "");
  return errors.front();
}

std::vector<std::string> names(const ModelGraph& g) {
  std::vector<std::string> out;
  for (const auto& l : g.layers) out.push_back(l.name);
  return out;
}

TEST(LoadJson, HeaderFields) {
  auto g = model_from_text(R"({"format": "edgepart.model", "version": 1, "name": "tiny",
    "source": "hand-written", "input": [3, 32, 16], "dtype_bytes": 2,
    "layers": [{"name": "r", "op": "relu"}]})");
  EXPECT_EQ(g.name, "tiny");
  EXPECT_EQ(g.source, "hand-written");
  EXPECT_EQ(g.input, Shape::chw(3, 32, 16));
  EXPECT_EQ(g.dtype_bytes, 2);
  EXPECT_EQ(g.file, "t.json");
  EXPECT_EQ(g.layers.at(0).origin, "/layers/0");
}

TEST(LoadJson, Defaults) {
  auto g = model_from_text(model_json("[8, 32, 32]", R"(
    {"name": "conv", "op": "conv2d", "out_channels": 16, "kernel": 3},
    {"name": "max", "op": "maxpool2d", "kernel": 2},
    {"name": "avg", "op": "avgpool2d", "kernel": [3, 1]},
    {"name": "bn", "op": "batchnorm"},
    {"name": "leaky", "op": "leaky_relu"},
    {"name": "lrn", "op": "lrn", "size": 5},
    {"name": "drop", "op": "dropout"},
    {"name": "flat", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10})"));
  EXPECT_EQ(g.source, "");
  EXPECT_EQ(g.dtype_bytes, 4);  // fp32
  const auto& conv = g.layers[0].as<Conv2dAttrs>();
  EXPECT_EQ(conv.kernel, (Hw{3, 3}));
  EXPECT_EQ(conv.stride, (Hw{1, 1}));
  EXPECT_EQ(conv.dilation, (Hw{1, 1}));
  EXPECT_EQ(conv.padding, (Padding{0, 0, 0, 0}));
  EXPECT_EQ(conv.groups, 1);
  EXPECT_TRUE(conv.bias);
  const auto& max = g.layers[1].as<Pool2dAttrs>();
  EXPECT_EQ(max.stride, (Hw{2, 2}));  // stride defaults to the kernel (PyTorch)
  EXPECT_FALSE(max.ceil_mode);
  const auto& avg = g.layers[2].as<Pool2dAttrs>();
  EXPECT_EQ(avg.kernel, (Hw{3, 1}));
  EXPECT_EQ(avg.stride, (Hw{3, 1}));
  EXPECT_TRUE(avg.count_include_pad);
  EXPECT_DOUBLE_EQ(g.layers[3].as<BatchNormAttrs>().eps, 1e-5);
  EXPECT_DOUBLE_EQ(g.layers[4].as<LeakyReluAttrs>().negative_slope, 0.01);
  const auto& lrn = g.layers[5].as<LrnAttrs>();
  EXPECT_DOUBLE_EQ(lrn.alpha, 1e-4);
  EXPECT_DOUBLE_EQ(lrn.beta, 0.75);
  EXPECT_DOUBLE_EQ(lrn.k, 1.0);
  EXPECT_DOUBLE_EQ(g.layers[6].as<DropoutAttrs>().p, 0.5);
  EXPECT_TRUE(g.layers[8].as<LinearAttrs>().bias);
}

TEST(LoadJson, PaddingForms) {
  auto g = model_from_text(model_json("[1, 16, 16]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1},
    {"name": "b", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": [1, 2]},
    {"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": [1, 2, 3, 4]},
    {"name": "d", "op": "maxpool2d", "kernel": 2, "padding": [0, 0, 1, 1]})"));
  // Padding{top, left, bottom, right}: [h, w] pads top and bottom by h, left and right by w.
  EXPECT_EQ(g.layers[0].as<Conv2dAttrs>().padding, (Padding{1, 1, 1, 1}));
  EXPECT_EQ(g.layers[1].as<Conv2dAttrs>().padding, (Padding{1, 2, 1, 2}));
  EXPECT_EQ(g.layers[2].as<Conv2dAttrs>().padding, (Padding{1, 2, 3, 4}));
  EXPECT_EQ(g.layers[3].as<Pool2dAttrs>().padding, (Padding{0, 0, 1, 1}));
}

TEST(LoadJson, PaddingOfThreeIsRefused) {
  auto e = only_error(model_json("[1, 8, 8]", R"({"name": "a", "op": "conv2d", "out_channels": 1,
    "kernel": 3, "padding": [1, 2, 3]})"));
  EXPECT_EQ(e.where(), "/layers/0/padding");
  EXPECT_THAT(e.message(), HasSubstr("[top, left, bottom, right]"));
}

TEST(LoadJson, HwFormsAndNegativePadding) {
  auto g = model_from_text(model_json("[1, 16, 16]", R"(
    {"name": "a", "op": "conv2d", "out_channels": 1, "kernel": [1, 7], "stride": [2, 1], "dilation": [1, 3]})"));
  const auto& a = g.layers[0].as<Conv2dAttrs>();
  EXPECT_EQ(a.kernel, (Hw{1, 7}));
  EXPECT_EQ(a.stride, (Hw{2, 1}));
  EXPECT_EQ(a.dilation, (Hw{1, 3}));
  auto e = only_error(model_json("[1, 8, 8]", R"({"name": "a", "op": "conv2d", "out_channels": 1,
    "kernel": 3, "padding": [1, -1]})"));
  EXPECT_EQ(e.where(), "/layers/0/padding/1");
  EXPECT_EQ(e.message(), "must be >= 0 (got -1)");
  e = only_error(model_json("[1, 8, 8]", R"({"name": "a", "op": "conv2d", "out_channels": 1, "kernel": [3, 3, 3]})"));
  EXPECT_EQ(e.where(), "/layers/0/kernel");
}

TEST(LoadJson, InputsDefaultToThePreviousLayerInTheFile) {
  auto g = model_from_text(model_json("[3, 8, 8]", R"(
    {"name": "a", "op": "relu"},
    {"name": "b", "op": "relu"},
    {"name": "c", "op": "add", "inputs": ["a", "b"]},
    {"name": "d", "op": "relu"})"));
  EXPECT_EQ(g.layers[0].inputs, std::vector<LayerIndex>{kModelInput});
  EXPECT_EQ(g.layers[1].inputs, std::vector<LayerIndex>{0});
  EXPECT_EQ(g.layers[2].inputs, (std::vector<LayerIndex>{0, 1}));
  EXPECT_EQ(g.layers[3].inputs, std::vector<LayerIndex>{2});
  EXPECT_EQ(g.output(), 3);
}

TEST(LoadJson, TopologicalFileKeepsItsOrderExactly) {
  // Diamond a -> {c, b} -> d written c before b: both orders are topological, the file's is kept.
  auto g = model_from_text(model_json("[3, 8, 8]", R"(
    {"name": "a", "op": "relu"},
    {"name": "c", "op": "relu", "inputs": ["a"]},
    {"name": "b", "op": "relu", "inputs": ["a"]},
    {"name": "d", "op": "add", "inputs": ["b", "c"]})"));
  EXPECT_EQ(names(g), (std::vector<std::string>{"a", "c", "b", "d"}));
  EXPECT_EQ(g.layers[3].inputs, (std::vector<LayerIndex>{2, 1}));  // input order kept
}

TEST(LoadJson, LayersOutOfOrderAreSortedTopologically) {
  // File order d, b, c, a; data flow a -> {b, c} -> d. Kahn's algorithm taking the ready layer
  // that comes first in the file: a (only ready), then b (file index 1) before c (2), then d.
  auto g = model_from_text(model_json("[3, 8, 8]", R"(
    {"name": "d", "op": "concat", "inputs": ["b", "c"]},
    {"name": "b", "op": "relu", "inputs": ["a"]},
    {"name": "c", "op": "sigmoid", "inputs": ["a"]},
    {"name": "a", "op": "relu", "inputs": ["input"]})"));
  EXPECT_EQ(names(g), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(g.layers[1].inputs, std::vector<LayerIndex>{0});
  EXPECT_EQ(g.layers[3].inputs, (std::vector<LayerIndex>{1, 2}));
  EXPECT_EQ(g.layers[3].origin, "/layers/0");  // origins still point into the file
  EXPECT_EQ(g.layers[0].kind, OpKind::relu);
  EXPECT_EQ(g.layers[2].kind, OpKind::sigmoid);
}

// Checks that "x -> y -> ... -> x" names a real cycle of `edges` (consumer -> its inputs) that
// visits every layer of `members`, whichever layer the message starts from.
void expect_cycle(const std::string& message, const std::map<std::string, std::vector<std::string>>& inputs_of,
                  const std::set<std::string>& members) {
  auto at = message.find("cycle: ");
  ASSERT_NE(at, std::string::npos) << message;
  std::vector<std::string> chain;
  std::stringstream text(message.substr(at + 7));
  std::string token;
  while (text >> token)
    if (token != "->") chain.push_back(token);
  ASSERT_GE(chain.size(), 2u) << message;
  EXPECT_EQ(chain.front(), chain.back()) << "the cycle must close: " << message;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const auto& reads = inputs_of.at(chain[i + 1]);
    EXPECT_NE(std::find(reads.begin(), reads.end(), chain[i]), reads.end())
        << chain[i + 1] << " does not read " << chain[i] << " in: " << message;
  }
  EXPECT_EQ(std::set<std::string>(chain.begin(), chain.end()), members) << message;
}

TEST(LoadJson, CycleIsNamed) {
  // b reads d, c reads b, d reads c: the cycle b -> c -> d -> b (a and e are outside it).
  auto e = only_error(model_json("[3, 8, 8]", R"(
    {"name": "a", "op": "relu"},
    {"name": "b", "op": "add", "inputs": ["a", "d"]},
    {"name": "c", "op": "relu", "inputs": ["b"]},
    {"name": "d", "op": "relu", "inputs": ["c"]},
    {"name": "e", "op": "relu", "inputs": ["d"]})"));
  EXPECT_THAT(e.message(), HasSubstr("the layers form a cycle"));
  expect_cycle(e.message(), {{"b", {"a", "d"}}, {"c", {"b"}}, {"d", {"c"}}}, {"b", "c", "d"});
  EXPECT_THAT(e.where(), ::testing::StartsWith("/layers/"));
}

TEST(LoadJson, SelfLoopIsACycle) {
  auto e = only_error(model_json("[3, 8, 8]", R"({"name": "a", "op": "relu", "inputs": ["a"]})"));
  EXPECT_THAT(e.message(), HasSubstr("cycle: a -> a"));
  EXPECT_EQ(e.where(), "/layers/0");
}

TEST(LoadJson, DuplicateNames) {
  auto e = only_error(model_json("[3, 8, 8]", R"(
    {"name": "a", "op": "relu"},
    {"name": "a", "op": "sigmoid"})"));
  EXPECT_EQ(e.where(), "/layers/1");
  EXPECT_EQ(e.message(), "duplicate layer name 'a' (first defined at /layers/0)");
}

TEST(LoadJson, UnknownInputWithHint) {
  auto e = only_error(model_json("[3, 8, 8]", R"(
    {"name": "conv1", "op": "conv2d", "out_channels": 4, "kernel": 1},
    {"name": "relu1", "op": "relu", "inputs": ["conv11"]})"));
  EXPECT_EQ(e.where(), "/layers/1/inputs/0");
  EXPECT_EQ(e.message(), "layer 'relu1' reads unknown layer 'conv11'; did you mean 'conv1'?");
}

TEST(LoadJson, Arity) {
  auto e = only_error(model_json("[3, 8, 8]", R"({"name": "s", "op": "add", "inputs": ["input"]})"));
  EXPECT_EQ(e.where(), "/layers/0");
  EXPECT_EQ(e.message(), "layer 's' (add) takes at least 2 inputs (got 1)");
  e = only_error(model_json("[3, 8, 8]", R"({"name": "r", "op": "relu", "inputs": ["input", "input"]})"));
  EXPECT_EQ(e.message(), "layer 'r' (relu) takes 1 input (got 2)");
  e = only_error(model_json("[3, 8, 8]", R"({"name": "m", "op": "mul", "inputs": ["input", "input", "input"]})"));
  EXPECT_EQ(e.message(), "layer 'm' (mul) takes 2 inputs (got 3)");
  e = only_error(model_json("[3, 8, 8]", R"({"name": "m", "op": "concat", "inputs": []})"));
  EXPECT_EQ(e.where(), "/layers/0/inputs");
}

TEST(LoadJson, UnknownOpWithHint) {
  auto e = only_error(model_json("[3, 8, 8]", R"({"name": "c", "op": "conv3d", "out_channels": 4, "kernel": 3})"));
  EXPECT_EQ(e.where(), "/layers/0/op");
  EXPECT_THAT(e.message(), HasSubstr("unknown op 'conv3d' in layer 'c'; did you mean 'conv2d'?"));
}

TEST(LoadJson, UnknownAttributeWithHint) {
  auto e = only_error(model_json("[3, 8, 8]", R"({"name": "c", "op": "conv2d", "out_channels": 4, "kernal": 3, "kernel": 3})"));
  EXPECT_EQ(e.where(), "/layers/0/kernal");
  EXPECT_EQ(e.message(), "unknown key 'kernal'; did you mean 'kernel'?");
  // An attribute of another op is unknown for this one.
  e = only_error(model_json("[3, 8, 8]", R"({"name": "r", "op": "relu", "ceil_mode": true})"));
  EXPECT_EQ(e.where(), "/layers/0/ceil_mode");
}

TEST(LoadJson, ReservedAndEmptyNames) {
  EXPECT_EQ(only_error(model_json("[3, 8, 8]", R"({"name": "input", "op": "relu"})")).message(),
            "'input' is reserved for the model input");
  EXPECT_EQ(only_error(model_json("[3, 8, 8]", R"({"name": "", "op": "relu"})")).where(), "/layers/0/name");
}

TEST(LoadJson, HeaderErrors) {
  auto e = only_error(R"({"format": "edgepart.scenario", "version": 1})");
  EXPECT_EQ(e.where(), "/format");
  EXPECT_THAT(e.message(), HasSubstr("edgepart.model"));
  e = only_error(R"({"format": "edgepart.model", "version": 2})");
  EXPECT_EQ(e.where(), "/version");
  EXPECT_THAT(e.message(), HasSubstr("unsupported version 2"));
  e = only_error(R"({"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 8], "layers": [{"name": "a", "op": "relu"}]})");
  EXPECT_EQ(e.where(), "/input");
  e = only_error(R"({"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 0, 8], "layers": [{"name": "a", "op": "relu"}]})");
  EXPECT_EQ(e.where(), "/input/1");
  EXPECT_EQ(e.message(), "must be >= 1 (got 0)");
  e = only_error(R"({"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 8, 8], "layers": []})");
  EXPECT_EQ(e.where(), "/layers");
}

TEST(LoadJson, EveryErrorIsCollected) {
  // Three independent mistakes in three places: validate lists all of them.
  auto errors = model_errors(R"({"format": "edgepart.model", "version": 1, "name": 7, "input": [3, 8, 8],
    "layers": [
      {"name": "a", "op": "conv2d", "kernel": 3},
      {"name": "b", "op": "relu", "slope": 1},
      {"name": "c", "op": "relu"}]})");
  std::set<std::string> where;
  for (const auto& e : errors) where.insert(e.where());
  EXPECT_EQ(where, (std::set<std::string>{"/name", "/layers/0", "/layers/1/slope"}));
}

TEST(LoadJson, TopLevelUnknownKeyAndMissingLayersAreBothReported) {
  auto errors = model_errors(R"({"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 8, 8], "layer": []})");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].where(), "/layer");
  EXPECT_THAT(errors[0].message(), HasSubstr("did you mean 'layers'?"));
  EXPECT_EQ(errors[1].where(), "/");
  EXPECT_EQ(errors[1].message(), "missing required key 'layers'");
}

TEST(LoadModel, FileErrorsNameTheFile) {
  try {
    load_model("/nonexistent/model.json");
    FAIL() << "loaded a missing file";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/model.json");
  }
  auto errors = check_model_file("/nonexistent/model.json");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file(), "/nonexistent/model.json");
}

TEST(LoadModel, ZooModelLoads) {
  auto g = load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/vgg16.json");
  EXPECT_EQ(g.name, "vgg16");
  // torchvision's VGG-16: 13 conv + 13 relu + 5 maxpool + avgpool + flatten + 3 linear + 2 relu
  // + 2 dropout = 40 layers.
  EXPECT_EQ(g.size(), 40u);
  EXPECT_EQ(g.input, Shape::chw(3, 224, 224));
}

TEST(OpTable, InOpKindOrderWithUniqueNames) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < op_table().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(op_table()[i].kind), i);
    EXPECT_TRUE(seen.insert(op_table()[i].name).second) << op_table()[i].name;
    EXPECT_EQ(find_op(op_table()[i].name), op_table()[i].kind);
  }
  EXPECT_EQ(find_op("conv3d"), std::nullopt);
}

}  // namespace
}  // namespace edgepart::model
