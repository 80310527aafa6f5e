// `edgepart sweep --python-strategy MODULE:FUNCTION`: a Python copy of `local` gives, at every
// point and seed, the rows of the built-in `local` (only the strategy column differs), beside the
// built-in rows, whatever -j. Skipped when the CLI was built without Python (EDGEPART_PYTHON=OFF).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "run_cli.hpp"

namespace {

using edgepart::testing::CliResult;

// CSV rows by strategy, the strategy cell (the 2nd: one swept column comes first) removed.
std::vector<std::string> rows_of(const std::string& csv, const std::string& strategy) {
  std::vector<std::string> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1);
    if (line.substr(a + 1, b - a - 1) == strategy) rows.push_back(line.substr(0, a) + line.substr(b));
  }
  return rows;
}

TEST(PythonSweepCli, PythonLocalRowsEqualBuiltinLocalRows) {
  // python/tests/local_strategy.py: the whole model on the source, as src/strategy/local.cpp plans it.
  auto sweep = [&](const std::string& jobs) {
    return edgepart::testing::run_program(
        {"/usr/bin/env", std::string("PYTHONPATH=") + EDGEPART_SOURCE_DIR + "/python/tests", EDGEPART_BIN, "sweep", "scenarios/default.json", "--set",
         "/network/bandwidth_mbps=5,20,80", "--strategy", "local,dpfp", "--python-strategy",
         "local_strategy:python_local", "--seeds", "2", "--requests", "20", "-j", jobs},
        EDGEPART_SOURCE_DIR);
  };
  const CliResult r = sweep("2");
  if (r.exit_code == 2 && r.err.find("built without Python") != std::string::npos) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> local = rows_of(r.out, "local"), mine = rows_of(r.out, "python_local");
  EXPECT_EQ(local.size(), 6u);  // 3 points x 2 seeds
  EXPECT_EQ(mine, local);
  EXPECT_EQ(rows_of(r.out, "dpfp").size(), 6u);
  EXPECT_EQ(sweep("1").out, r.out);
}

}  // namespace
