// `edgepart profile` run as a user runs it: the profile file has every requested layer, the
// requested heights (deduplicated, ascending), positive medians; bad options and bad profile
// files exit 2 with one located line. No assertion on the measured values themselves.
#include <gtest/gtest.h>

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
  return (fs::temp_directory_path() / ("edgepart_profile_cli_" + std::to_string(::getpid()) + "_" + name)).string();
}

}  // namespace

TEST(ProfileCli, AlexnetTailWritesEveryLayerAtTheRequestedHeights) {
  const std::string out = temp_path("alexnet.json");
  // features.10 (conv 3x3, [256,13,13]) .. classifier.2 (relu after the first linear layer).
  auto r = run_edgepart({"profile", "models/alexnet.json", "--layers", "features.10:classifier.2", "--runs", "2",
                         "--warmup", "0", "--heights", "all,1/2,1", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("total"), std::string::npos) << r.out;  // the table, since -o took the profile
  EXPECT_NE(r.out.find("conv2d 3x3"), std::string::npos) << r.out;
  Json doc = Json::parse(slurp(out));
  EXPECT_EQ(doc.at("format"), "edgepart.profile");
  EXPECT_EQ(doc.at("model").at("name"), "alexnet");
  EXPECT_EQ(doc.at("settings"), (Json{{"runs", 2}, {"warmup", 0}}));
  EXPECT_EQ(doc.at("measured_on").at("threads"), 1);
  const std::vector<std::string> names = {"features.10", "features.11", "features.12", "avgpool",
                                          "flatten",     "classifier.0", "classifier.1", "classifier.2"};
  const Json& layers = doc.at("layers");
  ASSERT_EQ(layers.size(), names.size());
  for (size_t k = 0; k < names.size(); ++k) {
    const Json& l = layers.at(k);
    EXPECT_EQ(l.at("layer"), 10 + static_cast<int>(k));
    EXPECT_EQ(l.at("name"), names[k]);
    // 13 rows: all = 13, 1/2 = ceil(6.5) = 7, 1; 6 rows after the pool: 6, 3, 1; flat: 1.
    const int64_t h = l.at("output").size() == 3 ? l.at("output").at(1).get<int64_t>() : 1;
    std::vector<int64_t> want = h == 13 ? std::vector<int64_t>{1, 7, 13}
                                : h == 6 ? std::vector<int64_t>{1, 3, 6}
                                         : std::vector<int64_t>{1};
    std::vector<int64_t> got;
    for (const Json& p : l.at("points")) {
      got.push_back(p.at("rows").get<int64_t>());
      const int64_t w = l.at("output").size() == 3 ? l.at("output").at(2).get<int64_t>() : 1;
      EXPECT_EQ(p.at("cols"), w);
      EXPECT_GT(p.at("median_s").get<double>(), 0) << names[k];
      EXPECT_LE(p.at("p25_s").get<double>(), p.at("median_s").get<double>());
      EXPECT_LE(p.at("median_s").get<double>(), p.at("p75_s").get<double>());
      EXPECT_EQ(p.at("runs"), 2);
    }
    EXPECT_EQ(got, want) << names[k];
  }
  // The file is a valid profile for validate.
  auto v = run_edgepart({"validate", out});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("profile of 'alexnet', 8 layers"), std::string::npos) << v.out;
  fs::remove(out);
}

TEST(ProfileCli, JsonOnStdoutIsTheProfile) {
  auto r = run_edgepart({"profile", "alexnet", "--layers", "features.1", "--runs", "1", "--warmup", "0", "--heights",
                         "all", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out);
  ASSERT_EQ(doc.at("layers").size(), 1u);
  EXPECT_EQ(doc.at("layers").at(0).at("name"), "features.1");
  EXPECT_EQ(doc.at("layers").at(0).at("points").size(), 1u);
  EXPECT_EQ(doc.at("layers").at(0).at("points").at(0).at("rows"), 55);
}

TEST(ProfileCli, BadArgumentsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"profile", "alexnet", "--heights", "1/0"},
           {"profile", "alexnet", "--heights", "half"},
           {"profile", "alexnet", "--layers", "features.99"},
           {"profile", "alexnet", "--layers", "classifier.1:features.0"},
           {"profile", "models/alexnet.json", "--layers", "features.1", "-o", "models/alexnet.json"},
       }) {
    auto r = run_edgepart(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << args[3] << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1u) << r.err;
  }
  // A CLI11 range check (its own message and a --help hint).
  EXPECT_EQ(run_edgepart({"profile", "alexnet", "--runs", "0"}).exit_code, 2);
}

TEST(ProfileCli, ValidateLocatesErrorsInProfiles) {
  const std::string good = temp_path("good.json");
  auto r = run_edgepart({"profile", "alexnet", "--layers", "features.0:features.1", "--runs", "1", "--warmup", "0",
                         "--heights", "all,1", "-o", good});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json base = Json::parse(slurp(good));
  struct Case {
    std::string pointer;
    Json value;
    std::string where;
  };
  for (const Case& c : std::vector<Case>{{"/layers/0/points/0/median_s", -1.0, "/layers/0/points/0/median_s"},
                                         {"/layers/0/points/1/rows", 1, "/layers/0/points/1"},
                                         {"/layers/1/points/0/runs", "3", "/layers/1/points/0/runs"},
                                         {"/settings/warmup", -2, "/settings/warmup"}}) {
    Json doc = base;
    doc[Json::json_pointer(c.pointer)] = c.value;
    const std::string bad = temp_path("bad.json");
    std::ofstream(bad) << doc.dump(2);
    auto v = run_edgepart({"validate", bad});
    EXPECT_EQ(v.exit_code, 2) << c.pointer;
    EXPECT_EQ(v.err_lines(), 1u) << v.err;
    EXPECT_NE(v.err.find(bad + ": " + c.where + ": "), std::string::npos) << v.err;
    fs::remove(bad);
  }
  fs::remove(good);
}

TEST(ProfileCli, ScenarioDevicesKeepTheirModelsProfiles) {
  // The committed host profiles: vgg16's matches the scenario model, resnet18's is ignored.
  const std::string root = EDGEPART_SOURCE_DIR;
  auto scenario = [&](const std::vector<std::string>& profiles) {
    Json doc{{"format", "edgepart.scenario"},
             {"version", 1},
             {"model", root + "/models/vgg16.json"},
             {"devices", Json::array({Json{{"name", "es0"}, {"role", "source"}, {"speed_gflops", 10},
                                           {"profiles", profiles}}})},
             {"network", Json{{"bandwidth_mbps", 100}}}};
    const std::string path = temp_path("scenario.json");
    std::ofstream(path) << doc.dump(2);
    return path;
  };
  std::string s = scenario({root + "/profiles/host-resnet18.json", root + "/profiles/host-vgg16.json"});
  auto ok = run_edgepart({"validate", s});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  // Same architecture (hash), another name: an error naming the profile file.
  Json renamed = Json::parse(slurp(root + "/profiles/host-vgg16.json"));
  renamed["model"]["name"] = "vgg16-copy";
  const std::string bad = temp_path("renamed.json");
  std::ofstream(bad) << renamed.dump(2);
  s = scenario({bad});
  auto r = run_edgepart({"validate", s});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ": /model: profile was measured on model 'vgg16-copy'"), std::string::npos) << r.err;
  // A missing profile file is an error too.
  s = scenario({root + "/profiles/no-such.json"});
  EXPECT_EQ(run_edgepart({"validate", s}).exit_code, 2);
  fs::remove(bad);
  fs::remove(s);
}

// How the whole-layer points were timed, and with which clock, is part of what was measured:
// the profile says so (measured_on.runtime), as tools/profile_torch.py does for its clock.
TEST(ProfileCli, TheMethodAndClockAreRecorded) {
  auto seq = run_edgepart({"profile", "alexnet", "--layers", "features.0:features.2", "--runs", "1", "--warmup", "0",
                           "--heights", "all,1", "--clock", "cpu", "--format", "json"});
  ASSERT_EQ(seq.exit_code, 0) << seq.err;
  const std::string rt = Json::parse(seq.out).at("measured_on").at("runtime").get<std::string>();
  EXPECT_NE(rt.find("(thread CPU time)"), std::string::npos) << rt;
  EXPECT_NE(rt.find("(whole layers in sequence)"), std::string::npos) << rt;
  auto iso = run_edgepart({"profile", "alexnet", "--layers", "features.0:features.2", "--runs", "1", "--warmup", "0",
                           "--heights", "all,1", "--isolated", "--format", "json"});
  ASSERT_EQ(iso.exit_code, 0) << iso.err;
  const std::string rt2 = Json::parse(iso.out).at("measured_on").at("runtime").get<std::string>();
  EXPECT_EQ(rt2.find("(whole layers in sequence)"), std::string::npos) << rt2;
  EXPECT_EQ(rt2.find("(thread CPU time)"), std::string::npos) << rt2;
  EXPECT_EQ(Json::parse(iso.out).at("layers").size(), 3u);
}
