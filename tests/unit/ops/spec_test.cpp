// The op table: each op's attribute keys and defaults as the model format documents them
// (docs/formats.md; PyTorch's defaults where the format follows PyTorch), and the reader and
// writer of every op agreeing with each other.
#include <gtest/gtest.h>

#include <set>

#include "edgepart/ops/spec.hpp"

namespace edgepart::ops {
namespace {

OrderedJson defaults_of(std::string_view op) { return attribute_defaults(op_spec(*find_op(op))); }

TEST(OpSpecs, AttributeDefaultsAreTheFormats) {
  // Written out by hand from docs/formats.md, not from the specs.
  EXPECT_EQ(Json::parse(defaults_of("conv2d").dump()),
            Json::parse(R"({"out_channels": null, "kernel": null, "stride": 1, "padding": 0, "dilation": 1,
                            "groups": 1, "bias": true})"));
  EXPECT_EQ(Json::parse(defaults_of("maxpool2d").dump()),
            Json::parse(R"({"kernel": null, "stride": "kernel", "padding": 0, "dilation": 1, "ceil_mode": false})"));
  EXPECT_EQ(Json::parse(defaults_of("avgpool2d").dump()),
            Json::parse(R"({"kernel": null, "stride": "kernel", "padding": 0, "ceil_mode": false,
                            "count_include_pad": true})"));
  EXPECT_EQ(Json::parse(defaults_of("batchnorm").dump()), Json::parse(R"({"eps": 1e-5})"));
  EXPECT_EQ(Json::parse(defaults_of("leaky_relu").dump()), Json::parse(R"({"negative_slope": 0.01})"));
  EXPECT_EQ(Json::parse(defaults_of("lrn").dump()), Json::parse(R"({"size": null, "alpha": 1e-4, "beta": 0.75, "k": 1.0})"));
  EXPECT_EQ(Json::parse(defaults_of("upsample").dump()), Json::parse(R"({"scale": null, "mode": "nearest"})"));
  EXPECT_EQ(Json::parse(defaults_of("clip").dump()), Json::parse(R"({"min": null, "max": null})"));
  EXPECT_DOUBLE_EQ(defaults_of("hardsigmoid")["alpha"].get<double>(), 1.0 / 6.0);  // PyTorch's relu6(x+3)/6
  EXPECT_EQ(Json::parse(defaults_of("relu").dump()), Json::object());
}

// For every op: a layer written with the defaults filled in (required keys given the values
// below) reads back to the same attributes.
TEST(OpSpecs, ReaderReadsWhatTheWriterWrites) {
  const Json required = Json::parse(R"({"out_channels": 8, "kernel": [3, 2], "output_size": 2, "min": -1, "max": 2,
                                       "size": 5, "out_features": 10, "scale": 2, "block_size": 2})");
  for (const OpSpec& spec : op_table()) {
    OrderedJson layer = attribute_defaults(spec);
    for (auto& [key, value] : layer.items()) {
      if (value.is_null()) value = OrderedJson::parse(required.at(key).dump());
      if (value == "kernel") value = OrderedJson::parse(required.at("kernel").dump());
    }
    Json doc = Json::parse(layer.dump());
    OpAttrs read = spec.read(JsonCursor(doc, "test"));
    OrderedJson written = OrderedJson::object();
    spec.write(read, written);
    OpAttrs again = spec.read(JsonCursor(Json::parse(written.dump()), "test"));
    EXPECT_EQ(read, again) << spec.name;
    for (const auto& [key, value] : written.items()) EXPECT_TRUE(layer.contains(key)) << spec.name << ": writes " << key;
  }
}

TEST(OpSpecs, EveryOpHasEveryPart) {
  std::set<std::string_view> names;
  for (const OpSpec& spec : op_table()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_FALSE(spec.summary.empty()) << spec.name;
    EXPECT_TRUE(spec.read && spec.write && spec.infer_shape && spec.cost && spec.backward && spec.forward) << spec.name;
    EXPECT_LE(spec.arity.min, spec.arity.max) << spec.name;
    if (spec.params) {
      EXPECT_TRUE(spec.params->tensor_sizes && spec.params->held && spec.params->from_tensors && spec.params->draw);
    }
  }
}

}  // namespace
}  // namespace edgepart::ops
