// tools/ops.json is what tools/edgepart_model.py knows of the ops (their attributes and defaults):
// it must be exactly `edgepart list ops --format json`, so the Python tool follows the C++ table.
#include <gtest/gtest.h>

#include <string>

#include "run_cli.hpp"

namespace {

TEST(OpsJson, ToolsCopyIsTheListOfTheTool) {
  auto r = edgepart::testing::run_edgepart({"list", "ops", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(edgepart::testing::slurp(std::string(EDGEPART_SOURCE_DIR) + "/tools/ops.json"), r.out)
      << "regenerate it: ./build/edgepart list ops --format json > tools/ops.json";
}

}  // namespace
