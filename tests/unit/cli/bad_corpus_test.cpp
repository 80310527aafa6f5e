// The bad-input corpus (tests/data/bad/, manifest expected.txt): every malformed model makes
// `edgepart inspect` and `edgepart validate` exit 2 with an error line that names the file, the
// JSON pointer (or line and column) and what is wrong. None may crash (exit 1 or a signal).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "run_cli.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::CliResult;
using edgepart::testing::run_edgepart;

struct BadCase {
  std::string file;     // name inside tests/data/bad/
  std::string where;    // exact location, or a prefix when it ended with '*' in the manifest
  bool where_is_prefix = false;
  std::string message;  // substring of the message
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const fs::path kBadDir = fs::path(EDGEPART_SOURCE_DIR) / "tests" / "data" / "bad";

std::vector<BadCase> load_manifest() {
  std::vector<BadCase> cases;
  std::ifstream in(kBadDir / "expected.txt");
  for (std::string line; std::getline(in, line);) {
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    auto a = line.find(" | ");
    auto b = a == std::string::npos ? a : line.find(" | ", a + 3);
    if (b == std::string::npos) {
      cases.push_back(BadCase{"<malformed manifest line: " + line + ">", "", false, ""});
      continue;
    }
    BadCase c{trim(line.substr(0, a)), trim(line.substr(a + 3, b - a - 3)), false, trim(line.substr(b + 3))};
    if (!c.where.empty() && c.where.back() == '*') {
      c.where.pop_back();
      c.where_is_prefix = true;
    }
    cases.push_back(c);
  }
  return cases;
}

// "edgepart: error: tests/data/bad/F: WHERE: ...MESSAGE..." for one line of stderr.
::testing::AssertionResult names_the_error(const std::string& line, const BadCase& c) {
  const std::string prefix = "edgepart: error: tests/data/bad/" + c.file + ": ";
  if (line.rfind(prefix, 0) != 0) return ::testing::AssertionFailure() << "does not start with '" << prefix << "'";
  std::string rest = line.substr(prefix.size());
  if (c.where_is_prefix ? rest.rfind(c.where, 0) != 0 : rest.rfind(c.where + ": ", 0) != 0)
    return ::testing::AssertionFailure() << "location is not '" << c.where << (c.where_is_prefix ? "...'" : "'");
  if (rest.find(c.message) == std::string::npos)
    return ::testing::AssertionFailure() << "message lacks '" << c.message << "'";
  return ::testing::AssertionSuccess();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

void expect_no_crash(const CliResult& r, const std::string& what) {
  EXPECT_EQ(r.signal, 0) << what << " died of signal " << r.signal;
  EXPECT_NE(r.exit_code, 1) << what << " reported an internal error: " << r.err;
}

class BadCorpus : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCorpus, InspectExitsTwoWithOneLine) {
  const BadCase& c = GetParam();
  ASSERT_TRUE(fs::exists(kBadDir / c.file)) << c.file;
  CliResult r = run_edgepart({"inspect", "tests/data/bad/" + c.file});
  expect_no_crash(r, "inspect");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  ASSERT_EQ(r.err_lines(), 1u) << r.err;
  ASSERT_EQ(r.err.back(), '\n');
  EXPECT_TRUE(names_the_error(r.err.substr(0, r.err.size() - 1), c)) << r.err;
}

TEST_P(BadCorpus, ValidateExitsTwoAndNamesTheError) {
  const BadCase& c = GetParam();
  CliResult r = run_edgepart({"validate", "tests/data/bad/" + c.file});
  expect_no_crash(r, "validate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");  // no "ok" line
  auto lines = lines_of(r.err);
  ASSERT_FALSE(lines.empty());
  bool found = false;
  for (const auto& line : lines) {
    EXPECT_EQ(line.rfind("edgepart: error: tests/data/bad/" + c.file + ": ", 0), 0u) << line;
    found = found || names_the_error(line, c);
  }
  EXPECT_TRUE(found) << "no line names the expected error:\n" << r.err;
}

INSTANTIATE_TEST_SUITE_P(Files, BadCorpus, ::testing::ValuesIn(load_manifest()), [](const auto& param_info) {
  std::string name = param_info.param.file;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

TEST(BadCorpusManifest, ListsEveryFileAndEnoughOfThem) {
  std::set<std::string> listed, present;
  for (const auto& c : load_manifest()) {
    EXPECT_TRUE(listed.insert(c.file).second) << "listed twice: " << c.file;
    EXPECT_FALSE(c.where.empty()) << c.file;
    EXPECT_FALSE(c.message.empty()) << c.file;
  }
  for (const auto& entry : fs::directory_iterator(kBadDir))
    if (entry.path().filename() != "expected.txt") present.insert(entry.path().filename().string());
  EXPECT_EQ(listed, present);
  EXPECT_GE(present.size(), 30u);  // the corpus must stay large enough to mean something: at least 30 malformed files
}

}  // namespace
}  // namespace edgepart
