// Hardening (docs/robustness.md): adversarially large inputs either finish or are refused
// by a documented limit with exit 2, never a crash or exhaustion. The inputs are generated here
// (a 100,000-layer chain is ~6 MB of JSON: not worth committing). No timing is asserted; the
// measured times are in docs/robustness.md. Also: the regression files of crashes the fuzzers
// found (tests/data/fuzz/) must exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "run_cli.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::CliResult;
using edgepart::testing::run_edgepart;
using ::testing::HasSubstr;

// A private folder under /tmp, removed at the end.
struct Scratch : edgepart::testing::ScratchDir {
  Scratch() : ScratchDir("edgepart_robustness") {}
};

std::string model_header(const std::string& name) {
  return "{\"format\": \"edgepart.model\", \"version\": 1, \"name\": \"" + name +
         "\", \"input\": [4, 16, 16], \"layers\": [\n";
}

// input -> conv -> relu -> relu -> ... (`layers` layers in all): the longest chain DPFP may see.
std::string chain_model(int layers) {
  std::string s = model_header("chain");
  s += "{\"name\": \"l0\", \"op\": \"conv2d\", \"kernel\": 3, \"padding\": 1, \"out_channels\": 4}";
  for (int i = 1; i < layers; ++i) s += ",\n{\"name\": \"l" + std::to_string(i) + "\", \"op\": \"relu\"}";
  return s + "]}\n";
}

// input -> `branches` parallel 1x1 convs -> one concat of all of them: the widest DAG.
std::string branch_model(int branches) {
  std::string s = model_header("branches");
  std::string concat_inputs;
  for (int i = 0; i < branches; ++i) {
    std::string name = "b" + std::to_string(i);
    s += "{\"name\": \"" + name + "\", \"op\": \"conv2d\", \"kernel\": 1, \"out_channels\": 1, \"inputs\": [\"input\"]},\n";
    concat_inputs += (i ? ", \"" : "\"") + name + "\"";
  }
  return s + "{\"name\": \"cat\", \"op\": \"concat\", \"inputs\": [" + concat_inputs + "]}]}\n";
}

// `devices` devices on one shared network, the default scenario's workload, model `model_path`.
std::string many_devices_scenario(int devices, const std::string& model_path, const std::string& strategy) {
  std::string s = "{\"format\": \"edgepart.scenario\", \"version\": 1, \"model\": \"" + model_path +
                  "\", \"devices\": [\n{\"name\": \"d0\", \"role\": \"source\", \"speed_gflops\": 20}";
  for (int i = 1; i < devices; ++i)
    s += ",\n{\"name\": \"d" + std::to_string(i) + "\", \"speed_gflops\": " + std::to_string(10 + i % 20) + "}";
  return s + "],\n\"network\": {\"bandwidth_mbps\": 100, \"latency_ms\": 1},\n\"workload\": {\"requests\": 2},\n" +
         "\"strategy\": {\"name\": \"" + strategy + "\"}}\n";
}

// Sets an environment variable (read by the child processes) for its lifetime.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* name_;
};

void expect_ok(const CliResult& r) {
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

void expect_limit(const CliResult& r, const std::string& env_name) {
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("set " + env_name + " to raise it"));
}

TEST(Robustness, HundredThousandLayerChainLoadsAndValidates) {
  Scratch dir;
  std::string model = dir.write("chain.json", chain_model(100'000));
  expect_ok(run_edgepart({"validate", model}));
  CliResult r = run_edgepart({"inspect", model, "--format", "json"});
  expect_ok(r);
  // 4x16x16 conv (3x3, pad 1, 4 out channels): 4*16*16 outputs x 4*3*3 MACs = 36,864 MACs.
  EXPECT_THAT(r.out, HasSubstr("36864"));
  // Every layer of a chain is a candidate block end: 100,000 of them is over DPFP's search limit
  // (its DP is quadratic: minutes), refused at once; the layer-wise partition is linear.
  std::string scenario = dir.write("s.json", many_devices_scenario(4, model, "dpfp"));
  CliResult plan = run_edgepart({"plan", scenario, "--format", "json"});
  expect_limit(plan, "EDGEPART_MAX_DPFP_POSITIONS");
  EXPECT_THAT(plan.err, HasSubstr("100,000 candidate block ends"));
}

// The DPFP search limit counts candidate block ends and can be raised or lowered: alexnet's
// spatial prefix is a chain of 14 layers (features.0 .. features.12 and the adaptive avgpool,
// whose rows map by a closed formula; flatten ends it), each one a cut point.
TEST(Robustness, DpfpSearchLimitCountsCandidateBlockEnds) {
  Scratch dir;
  std::string model = std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json";
  std::string scenario = dir.write("s.json", many_devices_scenario(4, model, "dpfp"));
  {
    ScopedEnv limit("EDGEPART_MAX_DPFP_POSITIONS", "14");
    expect_ok(run_edgepart({"plan", scenario, "--format", "json"}));
  }
  ScopedEnv limit("EDGEPART_MAX_DPFP_POSITIONS", "13");
  CliResult r = run_edgepart({"plan", scenario, "--format", "json"});
  expect_limit(r, "EDGEPART_MAX_DPFP_POSITIONS");
  EXPECT_THAT(r.err, HasSubstr("14 candidate block ends"));
}

// FTP's search over fused-layer counts is quadratic too. alexnet has 5 fusable groups, one per
// convolution (features.0, .3, .6, .8, .10, each with the ReLU and pooling after it).
TEST(Robustness, FtpSearchLimitCountsFusableGroups) {
  Scratch dir;
  std::string model = std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json";
  std::string scenario = dir.write("s.json", many_devices_scenario(4, model, "ftp"));
  {
    ScopedEnv limit("EDGEPART_MAX_FTP_SEARCH", "5");
    expect_ok(run_edgepart({"plan", scenario, "--format", "json"}));
  }
  ScopedEnv limit("EDGEPART_MAX_FTP_SEARCH", "4");
  CliResult r = run_edgepart({"plan", scenario, "--format", "json"});
  // Naming the fused-layer count plans one candidate, which no search limit stops.
  CliResult one = run_edgepart({"plan", scenario, "--set", "/strategy/options={\"fused_layers\": 5}", "--format", "json"});
  expect_limit(r, "EDGEPART_MAX_FTP_SEARCH");
  EXPECT_THAT(r.err, HasSubstr("5 fusable layer groups"));
  expect_ok(one);
}

TEST(Robustness, ChainOverTheLayerLimitIsRefused) {
  Scratch dir;
  std::string model = dir.write("chain.json", chain_model(100'001));
  expect_limit(run_edgepart({"validate", model}), "EDGEPART_MAX_LAYERS");
  expect_limit(run_edgepart({"inspect", model}), "EDGEPART_MAX_LAYERS");
}

TEST(Robustness, TenThousandBranchDagLoadsAndPlans) {
  Scratch dir;
  std::string model = dir.write("branches.json", branch_model(10'000));
  expect_ok(run_edgepart({"validate", model}));
  expect_ok(run_edgepart({"inspect", model}));
  std::string scenario = dir.write("s.json", many_devices_scenario(4, model, "dpfp"));
  expect_ok(run_edgepart({"plan", scenario, "--format", "json"}));
}

TEST(Robustness, ThousandDeviceScenarioPlansAndSimulates) {
  Scratch dir;
  std::string model = std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json";
  std::string scenario = dir.write("s.json", many_devices_scenario(1'000, model, "dpfp"));
  expect_ok(run_edgepart({"plan", scenario, "--format", "json"}));
  expect_ok(run_edgepart({"simulate", scenario, "--format", "json"}));
}

TEST(Robustness, DevicesOverTheLimitAreRefused) {
  Scratch dir;
  std::string model = std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json";
  std::string scenario = dir.write("s.json", many_devices_scenario(1'025, model, "dpfp"));
  expect_limit(run_edgepart({"plan", scenario}), "EDGEPART_MAX_DEVICES");
}

TEST(Robustness, RequestsOverTheLimitAreRefused) {
  expect_limit(run_edgepart({"simulate", "scenarios/default.json", "--set", "/workload/requests=10000001"}),
               "EDGEPART_MAX_REQUESTS");
  expect_limit(run_edgepart({"simulate", "scenarios/default.json", "--requests", "10000001"}),
               "EDGEPART_MAX_REQUESTS");
}

// 20,000 layers each reading a layer that does not exist: one error each. Before the fix every one
// got a "did you mean" hint computed against all 20,000 names (4 x 10^8 edit distances).
TEST(Robustness, ManyUnknownInputNamesAreReportedWithoutQuadraticHints) {
  Scratch dir;
  std::string s = model_header("unknown");
  for (int i = 0; i < 20'000; ++i)
    s += std::string(i ? ",\n" : "") + "{\"name\": \"l" + std::to_string(i) + "\", \"op\": \"relu\", \"inputs\": [\"missing" +
         std::to_string(i) + "\"]}";
  std::string model = dir.write("unknown.json", s + "]}\n");
  CliResult r = run_edgepart({"validate", model});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("reads unknown layer 'missing19999'"));
}

// The files a scenario reads besides itself (its model, its channels' trace CSVs) are inputs too:
// no command may write its output over one of them.
TEST(Robustness, OutputOverAScenariosTraceOrModelIsRefused) {
  Scratch dir;
  const std::string trace = dir.write("bw.csv", "0,50\n1,100\n");
  const std::string model = dir.write("m.json", edgepart::testing::slurp(std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json"));
  const std::string scenario = dir.write(
      "s.json",
      "{\"format\": \"edgepart.scenario\", \"version\": 1, \"model\": \"m.json\",\n"
      " \"devices\": [{\"name\": \"a\", \"role\": \"source\", \"speed_gflops\": 20}, {\"name\": \"b\", \"speed_gflops\": 30}],\n"
      " \"network\": {\"bandwidth_mbps\": 100, \"latency_ms\": 1, \"channel\": {\"kind\": \"trace\", \"file\": \"bw.csv\"}},\n"
      " \"workload\": {\"requests\": 5}}\n");
  const std::string model_before = edgepart::testing::slurp(model);
  for (const std::string& target : {trace, model}) {
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"plan", scenario, "-o", target}, {"simulate", scenario, "-o", target},
          {"simulate", scenario, "--trace", target}, {"sweep", scenario, "--set", "/seed=1,2", "-o", target}}) {
      CliResult r = run_edgepart(cmd);
      EXPECT_EQ(r.exit_code, 2) << cmd[0] << " -> " << target << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr("refusing to write the output over an input file"));
    }
  }
  EXPECT_EQ(edgepart::testing::slurp(trace), "0,50\n1,100\n");
  EXPECT_EQ(edgepart::testing::slurp(model), model_before);
}

// Fuzzer regression files (tests/data/fuzz/README.md says what each did before its fix).
std::string first_line(const std::string& path) {
  std::string text = edgepart::testing::slurp(path);
  return text.substr(0, text.find('\n'));
}

TEST(FuzzRegression, ModelWithUnknownInputsIsAnInputError) {
  CliResult r = run_edgepart({"validate", "tests/data/fuzz/model_unknown_inputs_hints.json"});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("reads unknown layer"));
}

TEST(FuzzRegression, OverrideThatIsNotUtf8IsAnInputError) {
  std::string set = first_line("tests/data/fuzz/scenario_override_invalid_utf8.txt");
  CliResult r = run_edgepart({"plan", "scenarios/default.json", "--set", set});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not valid UTF-8"));
}

TEST(FuzzRegression, SweepAxisOfTenToTheEightValuesIsRefusedBeforeAllocating) {
  std::string set = first_line("tests/data/fuzz/sweep_axis_1e8_values.txt");
  CliResult r = run_edgepart({"sweep", "scenarios/default.json", "--set", set, "--requests", "1"});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // (1e8 - 0) / 1 + 1 values, over the per-axis limit of 10,000,000.
  EXPECT_THAT(r.err, HasSubstr("more than 10,000,000"));
}

TEST(FuzzRegression, OverrideWithAnEmptyTokenUnderAnArrayIsAnInputError) {
  std::string set = first_line("tests/data/fuzz/scenario_override_empty_array_token.txt");
  CliResult r = run_edgepart({"plan", "scenarios/default.json", "--set", set});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--set: '/devices/' does not exist in the scenario"));
}

}  // namespace
}  // namespace edgepart
