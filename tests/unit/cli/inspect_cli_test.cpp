// The foundation commands end to end through the built binary: --version/--help, usage errors,
// `inspect` in its three formats with the stable JSON keys of docs/design.md §8, `-o`, `validate`, `list`.
// Expected figures are torchvision's published VGG-16 parameter count and hand arithmetic.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "edgepart/util/json_read.hpp"
#include "run_cli.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TempDir : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepart_inspect_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(CliBasics, VersionAndHelpExitZero) {
  auto r = run_edgepart({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("edgepart [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << r.out;
  r = run_edgepart({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"inspect", "validate", "list", "Examples"}) EXPECT_THAT(r.out, HasSubstr(word));
  r = run_edgepart({"inspect", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--format"));
  EXPECT_THAT(r.out, HasSubstr("edgepart inspect models/vgg16.json"));  // a real example
}

TEST(CliBasics, UsageErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},                                                 // no subcommand
           {"frobnicate"},                                     // unknown subcommand
           {"inspect", "models/vgg16.json", "--bogus"},        // unknown option
           {"inspect"},                                        // missing argument
           {"inspect", "models/vgg16.json", "--format", "xml"},  // value not allowed
           {"list", "strategiez"}}) {
    auto r = run_edgepart(args);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << cmd;
  }
}

TEST(CliBasics, MissingFileExitsTwoWithOneLine) {
  auto r = run_edgepart({"inspect", "nope/missing.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err_lines(), 1u) << r.err;
  EXPECT_THAT(r.err, StartsWith("edgepart: error: nope/missing.json: "));
  EXPECT_THAT(r.err, HasSubstr("no such file"));
  EXPECT_EQ(r.out, "");
}

TEST(InspectCli, JsonHasTheStableKeys) {
  auto r = run_edgepart({"inspect", "models/vgg16.json", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse_json_text(r.out, "stdout");
  ASSERT_TRUE(j.at("layers").is_array());
  ASSERT_EQ(j.at("layers").size(), 40u);
  for (const auto& l : j.at("layers")) {
    for (const char* key : {"name", "op", "output_shape", "macs", "params", "output_bytes", "receptive_field"})
      ASSERT_TRUE(l.contains(key)) << key << " missing in " << l.dump();
    const Json& f = l.at("receptive_field");
    if (f.is_null()) continue;
    for (const char* key : {"size", "stride", "padding"}) {
      ASSERT_TRUE(f.contains(key)) << key;
      EXPECT_EQ(f.at(key).size(), 2u);
    }
  }
  const Json& totals = j.at("totals");
  for (const char* key : {"macs", "flops", "params"}) ASSERT_TRUE(totals.contains(key)) << key;
  EXPECT_EQ(totals.at("params").get<int64_t>(), 138357544);  // torchvision's documentation

  // features.0 = conv 3 -> 64, 3x3, pad 1 on 224x224:
  // MACs = 224*224*64*3*3*3 = 50,176 * 1,728 = 86,704,128; params = 64*27 + 64 = 1,792;
  // output bytes = 64*224*224*4 = 12,845,056.
  const Json& first = j.at("layers").at(0);
  EXPECT_EQ(first.at("name"), "features.0");
  EXPECT_EQ(first.at("op"), "conv2d");
  EXPECT_EQ(first.at("output_shape"), Json::array({64, 224, 224}));
  EXPECT_EQ(first.at("macs").get<int64_t>(), 86704128);
  EXPECT_EQ(first.at("params").get<int64_t>(), 1792);
  EXPECT_EQ(first.at("output_bytes").get<int64_t>(), 12845056);
  // pool5 (Araujo et al.): 212 / 32 / 90; after flatten: no field, shape [25088] = 512*7*7.
  const Json& pool5 = j.at("layers").at(30);
  EXPECT_EQ(pool5.at("name"), "features.30");
  EXPECT_EQ(pool5.at("op"), "maxpool2d");
  EXPECT_EQ(pool5.at("receptive_field").at("size"), Json::array({212, 212}));
  EXPECT_EQ(pool5.at("receptive_field").at("stride"), Json::array({32, 32}));
  EXPECT_EQ(pool5.at("receptive_field").at("padding"), Json::array({90, 90}));
  const Json& flat = j.at("layers").at(32);
  EXPECT_EQ(flat.at("output_shape"), Json::array({25088}));
  EXPECT_TRUE(flat.at("receptive_field").is_null());
}

TEST(InspectCli, ZooNameAndPathGiveTheSameResult) {
  auto by_name = run_edgepart({"inspect", "vgg16", "--format", "json"});
  auto by_path = run_edgepart({"inspect", "models/vgg16.json", "--format", "json"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(by_name.out, by_path.out);
}

TEST(InspectCli, OutputIsJsonWhenNotATerminal) {
  // stdout is a file here: --format auto picks JSON (docs/design.md §8).
  auto r = run_edgepart({"inspect", "models/alexnet.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json_text(r.out, "stdout").at("totals").at("params").get<int64_t>(), 61100840);
}

TEST(InspectCli, CsvHeaderAndRows) {
  auto r = run_edgepart({"inspect", "models/vgg16.json", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::stringstream text(r.out);
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 41u);  // header + 40 layers
  EXPECT_EQ(lines[0],
            "index,name,op,output_shape,macs,flops,params,output_bytes,rf_size_h,rf_size_w,rf_stride_h,"
            "rf_stride_w,rf_padding_h,rf_padding_w");
  // The shape holds commas, so it is quoted (RFC 4180); FLOPs = 2 MACs for conv.
  EXPECT_EQ(lines[1], "0,features.0,conv2d,\"[64,224,224]\",86704128,173408256,1792,12845056,3,3,1,1,1,1");
  EXPECT_EQ(lines[33], "32,flatten,flatten,[25088],0,0,0,100352,,,,,,");  // 25088 * 4 bytes
}

TEST(InspectCli, TableOnRequest) {
  auto r = run_edgepart({"inspect", "models/vgg16.json", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("212/32/90"));
  EXPECT_THAT(r.out, HasSubstr("15.47 GMACs"));
  EXPECT_THAT(r.out, HasSubstr("138,357,544 parameters"));
}

TEST_F(TempDir, OutputFlagWritesTheFile) {
  fs::path out = dir_ / "vgg16.json";
  auto r = run_edgepart({"inspect", "models/vgg16.json", "--format", "json", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto to_stdout = run_edgepart({"inspect", "models/vgg16.json", "--format", "json"});
  EXPECT_EQ(slurp(out.string()), to_stdout.out);
}

TEST_F(TempDir, OutputOverTheInputIsRefused) {
  fs::path model = dir_ / "model.json";
  fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "models" / "vgg16.json", model);
  const std::string before = slurp(model.string());
  for (const std::string& target : {model.string(), (dir_ / "." / "model.json").string()}) {
    auto r = run_edgepart({"inspect", model.string(), "--format", "csv", "-o", target});
    EXPECT_EQ(r.exit_code, 2) << target;
    EXPECT_EQ(r.err_lines(), 1u) << r.err;
    EXPECT_THAT(r.err, StartsWith("edgepart: error: "));
    EXPECT_THAT(r.err, HasSubstr("refusing to write the output over an input file"));
  }
  EXPECT_EQ(slurp(model.string()), before);
}

TEST(ValidateCli, ZooIsValid) {
  std::vector<std::string> args = {"validate"};
  for (const char* m : {"alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "googlenet", "squeezenet1_1",
                        "densenet121", "yolov2", "yolov2_tiny"})
    args.push_back(std::string("models/") + m + ".json");
  auto r = run_edgepart(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::stringstream text(r.out);
  size_t ok = 0;
  for (std::string line; std::getline(text, line);) ok += line.find(": ok (") != std::string::npos;
  EXPECT_EQ(ok, 10u) << r.out;
}

TEST(ValidateCli, GoodAndBadFilesTogether) {
  auto r = run_edgepart({"validate", "models/vgg16.json", "tests/data/bad/cycle.json", "tests/data/bad/empty.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("models/vgg16.json: ok"));
  EXPECT_EQ(r.err_lines(), 2u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("edgepart: error: tests/data/bad/cycle.json: "));
  EXPECT_THAT(r.err, HasSubstr("edgepart: error: tests/data/bad/empty.json: line 1, column 1: "));
}

TEST_F(TempDir, ValidateListsEveryErrorOfAFile) {
  // Three independent mistakes: a wrong type at /name, a missing key in layer 0, an unknown key in
  // layer 1; validate names all three, inspect only the first.
  fs::path model = dir_ / "three.json";
  std::ofstream(model) << R"({"format": "edgepart.model", "version": 1, "name": 7, "input": [3, 8, 8],
    "layers": [{"name": "a", "op": "conv2d", "kernel": 3}, {"name": "b", "op": "relu", "slope": 1}]})";
  auto r = run_edgepart({"validate", model.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err_lines(), 3u) << r.err;
  const std::string prefix = "edgepart: error: " + model.string() + ": ";
  EXPECT_THAT(r.err, HasSubstr(prefix + "/name: expected a string"));
  EXPECT_THAT(r.err, HasSubstr(prefix + "/layers/0: missing required key 'out_channels'"));
  EXPECT_THAT(r.err, HasSubstr(prefix + "/layers/1/slope: unknown key 'slope'"));
  auto first = run_edgepart({"inspect", model.string()});
  EXPECT_EQ(first.exit_code, 2);
  EXPECT_EQ(first.err_lines(), 1u);
}

TEST(ListCli, ModelsAndOps) {
  auto r = run_edgepart({"list", "models", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse_json_text(r.out, "stdout");
  bool found = false;
  for (const auto& m : j.at("models"))
    if (m.at("name") == "vgg16") {
      found = true;
      EXPECT_EQ(m.at("params").get<int64_t>(), 138357544);
    }
  EXPECT_TRUE(found) << r.out;
  r = run_edgepart({"list", "ops", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> ops;
  Json listed = parse_json_text(r.out, "stdout");
  for (const auto& o : listed.at("ops")) ops.insert(o.at("name").get<std::string>());
  for (const char* op : {"conv2d", "maxpool2d", "avgpool2d", "adaptive_avgpool2d", "batchnorm", "relu", "relu6",
                         "clip", "leaky_relu", "sigmoid", "silu", "hardswish", "lrn", "dropout", "flatten", "linear",
                         "add", "mul", "concat", "softmax", "upsample", "space_to_depth", "depth_to_space", "identity"})
    EXPECT_TRUE(ops.count(op)) << op;  // the ops the model format promises (docs/formats.md)
}

}  // namespace
}  // namespace edgepart
