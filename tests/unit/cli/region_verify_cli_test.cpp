// `edgepart region` and `edgepart verify` run as a user runs them (the built binary, JSON output).
// Expected regions are derived by hand (DeepThings Fig. 5; Araujo et al.'s receptive field of
// VGG-16 pool5); verify must be lossless for rows and tiles and not for fdsp.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "edgepart/util/json_read.hpp"

namespace {

using edgepart::Json;
namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out, err;
};

// Runs the binary with `args` (shell syntax), capturing stdout, stderr and the exit code.
Result run(const std::string& args) {
  fs::path err_file = fs::temp_directory_path() / ("edgepart_rv_err_" + std::to_string(::getpid()));
  std::string cmd = std::string(EDGEPART_BIN) + " " + args + " 2>" + err_file.string();
  Result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  fs::remove(err_file);
  return r;
}

Json run_json(const std::string& args) {
  Result r = run(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return Json::parse(r.out);
}

Json region(int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  return Json{{"rows", Json::array({r0, r1})}, {"cols", Json::array({c0, c1})}};
}

class TempModel {
public:
  explicit TempModel(const std::string& text) {
    path_ = fs::temp_directory_path() / ("edgepart_rv_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path_) << text;
  }
  ~TempModel() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

private:
  fs::path path_;
};

TEST(RegionCli, DeepThingsFigure5) {
  TempModel m(R"({"format": "edgepart.model", "version": 1, "name": "fig5", "input": [1, 6, 6],
                  "layers": [{"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1}]})");
  Json j = run_json("region " + m.path() + " --to c --rows 3:5 --cols 0:2");
  // Rows [3-1, 5-1+2] = [2, 6] -> [2, 5]; cols [-1, 3] -> [0, 3].
  EXPECT_EQ(j.at("input"), region(2, 5, 0, 3));
  ASSERT_EQ(j.at("layers").size(), 1u);
  EXPECT_EQ(j.at("layers")[0].at("name"), "c");
  EXPECT_EQ(j.at("layers")[0].at("input"), region(2, 5, 0, 3));
  EXPECT_EQ(j.at("layers")[0].at("output"), region(3, 5, 0, 2));
}

TEST(RegionCli, Vgg16Pool5MatchesReceptiveField) {
  // pool5 (features.30): r = 212, S = 32, P = 90 (Araujo et al., Distill 2019; docs/design.md §4). Rows
  // 0..1 see [0*32 - 90, 1*32 - 90 + 211] = [-90, 153] -> [0, 153]; all 7 columns see
  // [-90, 6*32 - 90 + 211] = [-90, 313] -> [0, 223].
  Json j = run_json("region vgg16 --to features.30 --rows 0:1");
  EXPECT_EQ(j.at("input"), region(0, 153, 0, 223));
  ASSERT_EQ(j.at("layers").size(), 31u);
  EXPECT_EQ(j.at("layers")[0].at("name"), "features.0");
  EXPECT_EQ(j.at("layers")[30].at("output"), region(0, 1, 0, 6));
  // pool5 rows 0..1 read conv5_3 rows 0..3 (2x2/2); conv5_3 rows 0..3 read [-1, 4] -> [0, 4].
  EXPECT_EQ(j.at("layers")[30].at("input"), region(0, 3, 0, 13));
  EXPECT_EQ(j.at("layers")[28].at("input"), region(0, 4, 0, 13));
}

TEST(RegionCli, ResidualBlockFromInsideTheModel) {
  // resnet18: layer1.0.conv1 .. add (indices 4..9) on the 56x56 map after maxpool. add rows 0..7
  // <- bn2 0..7 <- conv2 reads [-1, 8] -> [0, 8] <- relu, bn1, conv1 rows 0..8 <- conv1 reads
  // [-1, 9] -> [0, 9] of maxpool. add also reads maxpool rows 0..7: hull [0, 9].
  Json j = run_json("region resnet18 --from layer1.0.conv1 --to add --rows 0:7");
  EXPECT_EQ(j.at("input"), region(0, 9, 0, 55));
  EXPECT_EQ(j.at("input_tensor"), "maxpool");
  ASSERT_EQ(j.at("layers").size(), 6u);
  EXPECT_EQ(j.at("layers")[3].at("name"), "layer1.0.conv2");
  EXPECT_EQ(j.at("layers")[3].at("input"), region(0, 8, 0, 55));
  ASSERT_EQ(j.at("block_inputs").size(), 1u);
  EXPECT_EQ(j.at("block_inputs")[0].at("name"), "maxpool");
  EXPECT_EQ(j.at("block_inputs")[0].at("rows"), Json::array({0, 9}));
}

TEST(RegionCli, BadArgumentsExitTwo) {
  Result r = run("region vgg16 --to feature.30 --rows 0:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'features.30'"), std::string::npos) << r.err;
  r = run("region vgg16 --to features.30 --rows 5:300");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--rows"), std::string::npos) << r.err;
  r = run("region vgg16 --to features.30 --rows 3-4");
  EXPECT_EQ(r.exit_code, 2);
  r = run("region vgg16 --from features.5 --to features.2 --rows 0:1");
  EXPECT_EQ(r.exit_code, 2);
}

void expect_lossless(const Json& j) {
  EXPECT_TRUE(j.at("lossless_expected").get<bool>());
  EXPECT_LE(j.at("max_abs_error").get<double>(), 1e-5 * j.at("max_abs_output").get<double>()) << j.dump();
  EXPECT_GT(j.at("max_abs_output").get<double>(), 0.0);
  EXPECT_TRUE(j.at("top1_agrees").get<bool>());
  EXPECT_LT(j.at("rel_l2_error").get<double>(), 1e-5);
}

void expect_fdsp_error(const Json& j) {
  EXPECT_FALSE(j.at("lossless_expected").get<bool>());
  EXPECT_GT(j.at("max_abs_error").get<double>(), 1e-3 * j.at("max_abs_output").get<double>()) << j.dump();
  EXPECT_GT(j.at("rel_l2_error").get<double>(), 1e-3);
}

TEST(VerifyCli, Vgg16ConvPartFourDevices) {
  Json rows = run_json("verify vgg16 --strategy rows --devices 4 --block features.0:features.30");
  expect_lossless(rows);
  EXPECT_EQ(rows.at("block").at("to"), "features.30");
  // 7 rows among 4 equal devices: quotas 1.75, floors 1, three left-over rows to devices 0..2.
  ASSERT_EQ(rows.at("parts").size(), 4u);
  EXPECT_EQ(rows.at("parts")[0].at("rows"), Json::array({0, 1}));
  EXPECT_EQ(rows.at("parts")[3].at("rows"), Json::array({6, 6}));
  // Device 0 (pool5 rows 0..1) needs input rows 0..153 (the receptive field, see RegionCli).
  EXPECT_EQ(rows.at("parts")[0].at("input").at("rows"), Json::array({0, 153}));
  // VGG-16 tiles and fdsp take as long again each (55 GMACs per run); they are checked on the
  // smaller models below, and their VGG-16 figures are in bench/README.md.
}

TEST(VerifyCli, ResNet18) {
  Json rows = run_json("verify resnet18 --strategy rows --devices 4");
  expect_lossless(rows);
  // The default block is the spatial prefix: up to the last ReLU before global pooling.
  EXPECT_EQ(rows.at("block").at("to"), "layer4.1.relu_1");
  expect_lossless(run_json("verify resnet18 --strategy tiles --devices 4"));
  expect_fdsp_error(run_json("verify resnet18 --strategy fdsp --devices 4"));
}

TEST(VerifyCli, YoloV2Tiny) {
  expect_lossless(run_json("verify yolov2_tiny --strategy rows --devices 3 --speeds 1,2,3"));
  Json tiles = run_json("verify yolov2_tiny --strategy tiles --devices 6 --grid-convention deepthings");
  expect_lossless(tiles);
  EXPECT_EQ(tiles.at("grid"), Json::array({2, 3}));
  expect_fdsp_error(run_json("verify yolov2_tiny --strategy fdsp --devices 4"));
}

TEST(VerifyCli, StrategyPlansOnResNet18) {
  // Every spatial strategy's plan for the default cluster with resnet18: the plan's per-layer
  // regions must be rf's, and executing its distributed stages must be lossless (fdsp: not).
  for (std::string strategy : {"modnn", "ftp", "fdsp"}) {
    fs::path plan = fs::temp_directory_path() / ("edgepart_rv_plan_" + strategy + std::to_string(::getpid()) + ".json");
    Result made = run("plan scenarios/default.json --strategy " + strategy +
                      " --set /model=../models/resnet18.json --format json -o " + plan.string());
    ASSERT_EQ(made.exit_code, 0) << made.err;
    Json j = run_json("verify resnet18 --plan " + plan.string());
    fs::remove(plan);
    EXPECT_EQ(j.at("strategy"), strategy);
    EXPECT_GE(j.at("blocks").size(), 1u) << strategy;
    EXPECT_GT(j.at("regions_checked").get<int64_t>(), 0) << strategy;
    EXPECT_EQ(j.at("region_mismatches").get<int64_t>(), 0) << strategy;
    if (strategy == "fdsp") {
      expect_fdsp_error(j);
    } else {
      expect_lossless(j);
    }
  }
  // A plan for another model is refused.
  fs::path plan = fs::temp_directory_path() / ("edgepart_rv_plan_vgg" + std::to_string(::getpid()) + ".json");
  ASSERT_EQ(run("plan scenarios/default.json --strategy modnn --format json -o " + plan.string()).exit_code, 0);
  Result r = run("verify resnet18 --plan " + plan.string());
  fs::remove(plan);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/model/hash"), std::string::npos) << r.err;
}

TEST(VerifyCli, SameSeedSameBytes) {
  TempModel m(R"({"format": "edgepart.model", "version": 1, "name": "small", "input": [3, 20, 18], "layers": [
                  {"name": "c1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1},
                  {"name": "r1", "op": "relu"},
                  {"name": "p1", "op": "maxpool2d", "kernel": 2},
                  {"name": "c2", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
                  {"name": "f", "op": "flatten"},
                  {"name": "fc", "op": "linear", "out_features": 5}]})");
  for (std::string strategy : {"rows", "fdsp"}) {
    std::string args = "verify " + m.path() + " --strategy " + strategy + " --devices 3 --format json --seed ";
    Result a = run(args + "5"), b = run(args + "5"), c = run(args + "6");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out, c.out);  // other weights and input: another max |output|
    EXPECT_EQ(Json::parse(a.out).at("block").at("to"), "c2");  // the spatial prefix ends before flatten
  }
}

TEST(VerifyCli, BadArgumentsExitTwo) {
  EXPECT_EQ(run("verify yolov2_tiny --devices 2").exit_code, 2);  // neither --strategy nor --plan
  EXPECT_EQ(run("verify yolov2_tiny --strategy rows --devices 0").exit_code, 2);
  EXPECT_EQ(run("verify yolov2_tiny --strategy cols --devices 2").exit_code, 2);
  EXPECT_EQ(run("verify yolov2_tiny --strategy rows --devices 2 --speeds 1").exit_code, 2);
  EXPECT_EQ(run("verify yolov2_tiny --strategy rows --devices 2 --speeds 1,0").exit_code, 2);
  EXPECT_EQ(run("verify yolov2_tiny --strategy rows --devices 2 --speeds 1,-2").exit_code, 2);
  EXPECT_EQ(run("verify yolov2_tiny --strategy tiles --devices 2 --grid 2by2").exit_code, 2);
  Result r = run("verify resnet18 --strategy rows --devices 2 --block conv1:layer1.0.conv1");
  EXPECT_EQ(r.exit_code, 2);  // maxpool is read by `add` after the block
  EXPECT_NE(r.err.find("read after the block"), std::string::npos) << r.err;
  r = run("verify resnet18 --strategy rows --devices 2 --block conv1:nope");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
