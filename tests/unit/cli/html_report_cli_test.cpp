// `simulate --report FILE.html` rendered in headless Chromium (Debian's chromium; `make test`
// installs it through tools/install_deps.sh chromium). The DOM after scripts ran must hold the
// five charts with their content, and the screenshot must not be blank.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// The flags /work/.library machines' notes give for headless Chromium as root on a closed network.
std::string chromium_command(const fs::path& profile) {
  return "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
         "--user-data-dir=" + profile.string();
}

class HtmlReportBrowser : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepart_html_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  int sh(const std::string& cmd) {
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::path dir_;
};

TEST_F(HtmlReportBrowser, ChartsRenderInHeadlessChromium) {
  if (std::getenv("EDGEPART_SKIP_BROWSER_TESTS")) GTEST_SKIP() << "EDGEPART_SKIP_BROWSER_TESTS is set";
  ASSERT_EQ(sh("command -v chromium >/dev/null"), 0)
      << "chromium is not installed: run tools/install_deps.sh chromium (make test does)";
  const fs::path html = dir_ / "report.html";
  const std::string scenario = std::string(EDGEPART_SOURCE_DIR) + "/scenarios/default.json";
  ASSERT_EQ(sh(std::string(EDGEPART_BIN) + " simulate " + scenario + " --strategy all --requests 50 --format json -o " +
               (dir_ / "report.json").string() + " --report " + html.string()),
            0);
  const std::string page = slurp(html);
  ASSERT_FALSE(page.empty());

  // The DOM as Chromium has it after running the page's script.
  const fs::path dom = dir_ / "dom.html";
  ASSERT_EQ(sh(chromium_command(dir_ / "profile1") + " --dump-dom file://" + html.string() + " >" + dom.string() + " 2>/dev/null"), 0);
  const std::string d = slurp(dom);
  EXPECT_NE(d.find("data-ready=\"1\""), std::string::npos) << "the inline script did not run";
  for (const char* id : {"strategy-table", "latency-cdf", "reliability-deadline", "gantt", "partition"})
    EXPECT_NE(d.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  // Every strategy the report lists has a table row, a CDF curve and a reliability curve
  // (2 polylines each), a Gantt block and a partition row.
  const std::string report = slurp(dir_ / "report.json");
  const size_t strategies = count(report, "\"strategy\": ");
  ASSERT_GE(strategies, 5u);  // local, dpfp, modnn, ftp, fdsp at least on the default scenario
  EXPECT_EQ(count(d, "<polyline class=\"curve\""), 2 * strategies);
  EXPECT_EQ(count(d, "<tr><td><span class=\"swatch\""), strategies);
  EXPECT_EQ(count(d, "class=\"lanehead\""), strategies);
  EXPECT_GE(count(d, "<rect class=\"task\""), strategies);
  EXPECT_GE(count(d, "<rect class=\"stage\""), strategies);

  // A screenshot: a blank white page compresses to a few KB; this one has charts in colour.
  const fs::path png = dir_ / "shot.png";
  ASSERT_EQ(sh(chromium_command(dir_ / "profile2") + " --window-size=1100,2000 --screenshot=" + png.string() + " file://" +
               html.string() + " >/dev/null 2>&1"),
            0);
  const std::string shot = slurp(png);
  ASSERT_GT(shot.size(), 8u);
  EXPECT_EQ(shot.substr(1, 3), "PNG");
  EXPECT_GT(shot.size(), 40u * 1024) << "the screenshot looks blank";
}

}  // namespace
