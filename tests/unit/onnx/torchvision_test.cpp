// Every torchvision 0.14 classification model as a user exports it (tests/data/onnx/torchvision/,
// tools/make_torchvision_fixtures.py: torch 1.13, opset 17, weights stripped; a subset also at
// opset 13 and with export_params=False). The expected MACs are PyTorch's own count while it ran
// the model (conv, linear and matrix products, tools/make_torchvision_fixtures.py), independent
// of edgepart: a file that loads must give exactly those MACs. The files edgepart does not load
// yet are listed here with the reason it gives; one of them loading, or another one failing,
// fails the test, so the list is the current coverage (docs/models.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"

namespace edgepart::model {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kDir = fs::path(EDGEPART_SOURCE_DIR) / "tests" / "data" / "onnx" / "torchvision";

// File -> the error edgepart gives today (ops not supported yet, weights as graph inputs):
// gaps.json, written by tools/torchvision_coverage.sh with docs/models.md.
const std::map<std::string, std::string>& known_refusals() {
  static const std::map<std::string, std::string> gaps = [] {
    std::ifstream in(kDir / "gaps.json");
    return in.good() ? Json::parse(in).get<std::map<std::string, std::string>>() : std::map<std::string, std::string>{};
  }();
  return gaps;
}

TEST(TorchvisionExports, EveryExportLoadsWithPyTorchsMacsOrIsAKnownGap) {
  std::ifstream in(kDir / "expected.json");
  ASSERT_TRUE(in.good()) << "run tools/make_torchvision_fixtures.py";
  const Json expected = Json::parse(in);
  int loaded = 0, refused = 0;
  for (const auto& [file, e] : expected.items()) {
    if (!e.at("exported").get<bool>()) continue;  // torch itself cannot export it (recorded why)
    SCOPED_TRACE(file);
    const auto& m = e.at("macs");
    const int64_t torch_macs = m.at("conv").get<int64_t>() + m.at("linear").get<int64_t>() + m.at("matmul").get<int64_t>();
    auto gap = known_refusals().find(file);
    try {
      ModelGraph g = load_model((kDir / file).string());
      cost::ModelAnalysis a = cost::analyze(g);
      EXPECT_EQ(a.total_macs, torch_macs);
      EXPECT_TRUE(gap == known_refusals().end()) << "now loads: remove it from known_refusals()";
      ++loaded;
    } catch (const InputError& err) {
      ASSERT_TRUE(gap != known_refusals().end()) << "refused: " << err.what();
      EXPECT_EQ((err.where().empty() ? "" : err.where() + ": ") + err.message(), gap->second);
      ++refused;
    }
  }
  std::printf("torchvision exports: %d load with PyTorch's MACs, %d refused (known gaps)\n", loaded, refused);
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace edgepart::model
