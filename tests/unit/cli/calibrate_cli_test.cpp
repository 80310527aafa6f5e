// `edgepart calibrate` run as a user runs it, on the measured profiles of profiles/ (vgg16 and
// resnet18): the report and the device fragment have the documented keys, the fragment loads in a
// scenario, --holdout reports the held-out model separately, the output is deterministic, and bad
// options exit 2 with one line. The fitted values themselves are tested on synthetic profiles in
// tests/unit/timing/calibrate_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "edgepart/util/json_read.hpp"
#include "unit/cli/run_cli.hpp"

namespace {

using edgepart::Json;
using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;
namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("edgepart_calibrate_cli_" + std::to_string(::getpid()) + "_" + name)).string();
}

const std::string kVgg = "profiles/host-vgg16.json";
const std::string kResnet = "profiles/host-resnet18.json";

TEST(CalibrateCli, FitsAndWritesAScenarioDevice) {
  const std::string device = temp_path("device.json");
  auto r = run_edgepart({"calibrate", kVgg, kResnet, "--format", "json", "-o", device, "--name", "host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json report = Json::parse(r.out);
  ASSERT_EQ(report.at("models").size(), 2u);
  EXPECT_EQ(report.at("models").at(0).at("model"), "vgg16");
  EXPECT_EQ(report.at("models").at(0).at("layers"), 40);
  EXPECT_EQ(report.at("models").at(1).at("model"), "resnet18");
  EXPECT_EQ(report.at("models").at(1).at("layers"), 69);
  EXPECT_EQ(report.at("models").at(1).at("role"), "fit");
  Json d = Json::parse(slurp(device));
  EXPECT_EQ(d, report.at("device"));
  EXPECT_EQ(d.at("name"), "host");
  EXPECT_GT(d.at("speed_gflops").get<double>(), 0);
  // vgg16 and resnet18 have no depthwise conv: borrowed, and said so.
  bool depthwise_borrowed = false;
  for (const Json& c : report.at("classes"))
    if (c.at("class") == "conv_depthwise") depthwise_borrowed = c.at("source").get<std::string>().rfind("nearest:", 0) == 0;
  EXPECT_TRUE(depthwise_borrowed);
  // The fragment pasted into a scenario is a valid device.
  const std::string scenario = temp_path("scenario.json");
  {
    std::ofstream f(scenario);
    f << R"({"format": "edgepart.scenario", "version": 1, "name": "t", "model": ")" << EDGEPART_SOURCE_DIR
      << R"(/models/resnet18.json", "devices": [{"name": "src", "role": "source", "speed_gflops": 1}, )" << d.dump()
      << R"(], "network": {"bandwidth_mbps": 100}})";
  }
  auto v = run_edgepart({"validate", scenario});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  // Deterministic: the same profiles give the same bytes.
  auto again = run_edgepart({"calibrate", kVgg, kResnet, "--format", "json", "--name", "host"});
  EXPECT_EQ(again.out, r.out);
  fs::remove(device);
  fs::remove(scenario);
}

TEST(CalibrateCli, HoldoutIsReportedSeparately) {
  auto r = run_edgepart({"calibrate", kVgg, kResnet, "--holdout", "resnet18", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json report = Json::parse(r.out);
  EXPECT_EQ(report.at("holdout"), "resnet18");
  ASSERT_EQ(report.at("models").size(), 2u);
  EXPECT_EQ(report.at("models").at(0).at("model"), "vgg16");
  EXPECT_EQ(report.at("models").at(1).at("model"), "resnet18");
  EXPECT_EQ(report.at("models").at(1).at("role"), "holdout");
  // The fit saw vgg16's whole-layer points only: one per layer, 40 (profiles/README.md).
  EXPECT_EQ(report.at("fit").at("points"), 40);
  // With --all-points, every point of vgg16's profile, counted from the file itself.
  auto all = run_edgepart({"calibrate", kVgg, kResnet, "--holdout", "resnet18", "--format", "json", "--all-points"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  std::ifstream in(kVgg);
  Json profile = Json::parse(in);
  size_t points = 0;
  for (const auto& l : profile.at("layers")) points += l.at("points").size();
  EXPECT_EQ(Json::parse(all.out).at("fit").at("points"), points);
  // resnet18 has batchnorm and add, which vgg16 lacks: unseen classes, counted.
  Json unseen = report.at("models").at(1).at("unseen_classes");
  EXPECT_NE(std::find(unseen.begin(), unseen.end(), Json("normalization")), unseen.end()) << unseen.dump();
  EXPECT_GT(report.at("models").at(1).at("unseen_layers").get<int64_t>(), 0);
}

TEST(CalibrateCli, BadOptionsExitTwoWithOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"calibrate", kVgg, "--holdout", "alexnet"},
           {"calibrate", kVgg, "--holdout", "vgg16"},
           {"calibrate", kVgg, "--model", "vgg16"},
           {"calibrate", "no_such_profile.json"},
           {"calibrate", kVgg, "--model", "vgg16=models/resnet18.json"},  // the hash differs
       }) {
    auto r = run_edgepart(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
