// Malformed ONNX input never crashes the loader (nor shape inference after it): every prefix of a fixture (truncated files) and
// every single-byte corruption either loads or raises InputError (exit 2), never another
// exception (exit 1), a crash or a hang. Deterministic: all positions, fixed byte changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "unit/cli/run_cli.hpp"

namespace edgepart::model {
namespace {

namespace fs = std::filesystem;

enum class Outcome { loaded, input_error };

Outcome try_load(const std::string& bytes, const fs::path& path) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    // What loads must also analyze (or fail as input): no assertion, no other exception.
    cost::analyze(load_onnx_model(path.string()));
    return Outcome::loaded;
  } catch (const InputError&) {
    return Outcome::input_error;
  }
  // Any other exception propagates and fails the test.
}

class OnnxRobustness : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxRobustness, EveryPrefixAndByteChangeIsLoadedOrAnInputError) {
  std::string original = testing::slurp((fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx" / GetParam()).string());
  ASSERT_GT(original.size(), 100u);
  fs::path tmp = fs::temp_directory_path() / ("edgepart_onnx_robust_" + std::to_string(::getpid()) + ".onnx");
  size_t errors = 0;
  for (size_t n = 0; n < original.size(); ++n)
    errors += try_load(original.substr(0, n), tmp) == Outcome::input_error;
  // Most prefixes end inside a field; some end between top-level fields and still load.
  EXPECT_GT(errors, original.size() / 2);
  // 0xff makes varints run on and lengths huge, 0x80 sets the continuation bit.
  for (unsigned char change : {0xff, 0x80})
    for (size_t i = 0; i < original.size(); ++i) {
      std::string bytes = original;
      bytes[i] = static_cast<char>(static_cast<unsigned char>(bytes[i]) ^ change);
      try_load(bytes, tmp);
    }
  fs::remove(tmp);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, OnnxRobustness,
                         ::testing::Values("pools.onnx", "activations.onnx", "pad_fold.onnx"));

}  // namespace
}  // namespace edgepart::model
