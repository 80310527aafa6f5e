// The plan file (docs/design.md §7): round-trip exact, strict reading, infinity as null, no NaN dumped.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "edgepart/plan/plan.hpp"
#include "edgepart/util/error.hpp"

using namespace edgepart;
using namespace edgepart::plan;

namespace {

Plan sample() {
  Plan p;
  p.strategy = "cic";
  p.options = Json{{"server", "es1"}, {"grid", Json::array({3, 3})}};
  p.model_name = "m";
  p.model_hash = "fnv1a:0123";
  p.devices = {"es0", "es1", "es2"};
  p.source = 0;
  p.lossless = false;
  p.notes = {"a note"};
  Variant v;
  v.min_rate_mbps = 0;
  v.max_rate_mbps = 12.5;
  Stage s;
  s.first_layer = 0;
  s.last_layer = 2;
  s.split = "tiles";
  s.regions.push_back(DeviceRegion{-1, 3, {{0, 4}, {1, 3}, {2, 2}}, {{5, 9}, {0, -1}, {1, 1}}, {0, 6}, {4, 11}});
  v.stages.push_back(s);
  Task c;
  c.id = 0;
  c.name = "tile3";
  c.stage = 0;
  c.dispatch = Dispatch::pull;
  c.pool_devices = {1, 2};
  c.flops = {{"conv2d", 0.1 + 0.2}, {"relu", 1e-300}};  // values that need all 17 digits
  c.memory_bytes = 123456789.125;
  c.in_bytes = 1.0 / 3.0;
  c.in_from = 0;
  c.out_bytes = 2.0 / 3.0;
  c.out_to = 0;
  c.compressed = true;
  c.region = 0;
  c.layers = Span{1, 2};
  c.reuse_share = 1.0 / 9.0;
  Task x;
  x.id = 1;
  x.kind = TaskKind::transfer;
  x.name = "x";
  x.deps = {0};
  x.from = 1;
  x.to = 0;
  x.bytes = 4097.5;
  x.data = TensorPiece{2, {0, 15}, {3, 7}, {0, 12}};
  Task l;
  l.id = 2;
  l.kind = TaskKind::cache_lookup;
  l.name = "lookup";
  l.deps = {0, 1};
  l.device = 2;
  l.hit_probability = 0.35;
  v.tasks = {c, x, l};
  v.predicted = Prediction{0.123456789012345678, 0.1, 0.02, 4097.5};
  p.variants.push_back(v);
  Variant w = v;
  w.min_rate_mbps = 12.5;
  w.max_rate_mbps = std::numeric_limits<double>::infinity();
  p.variants.push_back(w);
  p.predicted = v.predicted;
  return p;
}

}  // namespace

TEST(PlanJson, RoundTripIsExact) {
  Plan p = sample();
  Json j = plan_to_json(p);
  std::string text = j.dump(2);
  Plan back = plan_from_json(Json::parse(text), "p.json");
  EXPECT_EQ(back, p);
  EXPECT_EQ(plan_to_json(back).dump(2), text);  // and the bytes again
  EXPECT_TRUE(j.at("variants").at(1).at("max_rate_mbps").is_null());
  EXPECT_EQ(j.at("predicted").at("latency_s").get<double>(), p.predicted.latency_s);
  EXPECT_EQ(j.at("format").get<std::string>(), "edgepart.plan");
}

TEST(PlanJson, VariantForRate) {
  Plan p = sample();
  EXPECT_EQ(&p.variant_for_rate(3), &p.variants[0]);
  EXPECT_EQ(&p.variant_for_rate(12.5), &p.variants[1]);
  EXPECT_EQ(&p.variant_for_rate(1e12), &p.variants[1]);
}

TEST(PlanJson, NonFiniteNumbersAreNeverDumped) {
  Plan p = sample();
  p.variants[0].tasks[1].bytes = std::nan("");
  EXPECT_THROW(plan_to_json(p), InternalError);
}

TEST(PlanJson, StrictReading) {
  Json j = plan_to_json(sample());
  j["variants"][0]["tasks"][1]["byts"] = 1;
  try {
    plan_from_json(j, "p.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/variants/0/tasks/1/byts: unknown key 'byts'; did you mean 'bytes'?"), std::string::npos);
  }
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][1]["deps"] = Json::array({1});
  EXPECT_THROW(plan_from_json(j, "p.json"), InputError);  // a dependency on itself
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][1]["to"] = 3;
  try {
    plan_from_json(j, "p.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/variants/0/tasks/1/to: device index 3 out of range"), std::string::npos);
  }
}

TEST(PlanJson, WhatTasksComputeAndCarry) {
  Plan p = sample();
  const Variant& v = p.variants[0];
  EXPECT_EQ(task_layers(v, v.tasks[0]), (Span{1, 2}));
  EXPECT_EQ(task_region(v, v.tasks[0]), &v.stages[0].regions[0]);
  EXPECT_EQ(task_region(v, v.tasks[2]), nullptr);  // the lookup has no stage
  Plan whole = p;
  whole.variants[0].tasks[0].layers = Span{};
  EXPECT_EQ(task_layers(whole.variants[0], whole.variants[0].tasks[0]), (Span{0, 2}));  // the stage's range

  auto error_of = [](const Json& j) {
    try {
      plan_from_json(j, "p.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Json j = plan_to_json(sample());
  j["variants"][0]["tasks"][0]["region"] = 1;
  EXPECT_NE(error_of(j).find("/variants/0/tasks/0/region: region index 1 out of range (stage 0 has 1)"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][0]["layers"] = Json::array({2, 3});
  EXPECT_NE(error_of(j).find("/variants/0/tasks/0/layers: must be a non-empty range inside the stage's layers [0, 2]"),
            std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][1]["data"]["rows"] = Json::array({7, 3});
  EXPECT_NE(error_of(j).find("/variants/0/tasks/1/data/rows: must be a non-empty range"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][1]["region"] = 0;
  EXPECT_NE(error_of(j).find("/variants/0/tasks/1/region: a transfer computes no region"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][0]["data"] = j["variants"][0]["tasks"][1]["data"];
  EXPECT_NE(error_of(j).find("/variants/0/tasks/0/data: only a transfer carries data"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][2]["reuse_share"] = 0.5;
  EXPECT_NE(error_of(j).find("/variants/0/tasks/2/reuse_share: a reuse share needs the task's region"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["tasks"][0]["reuse_share"] = 1.5;
  EXPECT_NE(error_of(j).find("/variants/0/tasks/0/reuse_share"), std::string::npos);
  j = plan_to_json(sample());
  j["variants"][0]["stages"][0]["regions"][0]["cols"].erase(2);
  EXPECT_NE(error_of(j).find("/variants/0/stages/0/regions/0/cols: expected one range per layer of the stage (3, got 2)"),
            std::string::npos);
  // Written only when set: the transfer and the lookup have none.
  j = plan_to_json(sample());
  EXPECT_TRUE(j["variants"][0]["tasks"][0].contains("reuse_share"));
  EXPECT_FALSE(j["variants"][0]["tasks"][2].contains("reuse_share"));
}
