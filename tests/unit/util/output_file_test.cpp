// Writing results (docs/design.md §8): never over an input file, however its path is spelled.
#include "edgepart/util/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "edgepart/util/error.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepart_output_file_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, WritesTheContentAndLeavesNoTemporaryFile) {
  fs::path out = dir_ / "result.json";
  write_output(out.string(), "{\"a\": 1}\n", {});
  EXPECT_EQ(read(out), "{\"a\": 1}\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 2u);  // result.json and sub/
}

TEST_F(OutputFileTest, RefusesToOverwriteAnInputEvenSpelledDifferently) {
  fs::path in = dir_ / "model.json";
  std::ofstream(in) << "original";
  std::string other_spelling = (dir_ / "sub" / ".." / "model.json").string();
  for (const std::string& target : {in.string(), other_spelling}) {
    try {
      write_output(target, "new", {in.string()});
      ADD_FAILURE() << "wrote over the input via " << target;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos);
    }
  }
  EXPECT_EQ(read(in), "original");
}

TEST_F(OutputFileTest, SameFile) {
  fs::path a = dir_ / "a.txt";
  std::ofstream(a) << "x";
  EXPECT_TRUE(same_file(a.string(), (dir_ / "." / "a.txt").string()));
  EXPECT_FALSE(same_file(a.string(), (dir_ / "b.txt").string()));
}

// Writing to a device must not rename a regular file over the device node (as root, a rename
// over /dev/null would replace it).
TEST_F(OutputFileTest, DeviceIsWrittenIntoNotReplaced) {
  ASSERT_TRUE(fs::is_character_file("/dev/null"));
  write_output("/dev/null", "discarded", {});
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(OutputFileTest, UnwritableFolderIsAnInputError) {
  EXPECT_THROW(write_output((dir_ / "missing" / "x.json").string(), "x", {}), InputError);
}

// An output abandoned before commit() (an exception unwinding the command) leaves the old file
// untouched and no temporary behind; a committed one replaces it whole.
TEST_F(OutputFileTest, UncommittedOutputKeepsTheOldFile) {
  const fs::path out = dir_ / "rows.csv";
  std::ofstream(out) << "old\n";
  {
    edgepart::OutputFile f(out.string(), {});
    f.write("a,b\n");
    f.write("1,2\n");
    EXPECT_EQ(read(out), "old\n");  // nothing visible before commit()
  }
  EXPECT_EQ(read(out), "old\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 2u);  // rows.csv and sub/: the temporary is gone
  {
    edgepart::OutputFile f(out.string(), {});
    f.write("a,b\n");
    f.commit();
  }
  EXPECT_EQ(read(out), "a,b\n");
}

// Outputs get the permissions the shell's `>` would give (0666 less the umask), not mkstemp's 0600.
TEST_F(OutputFileTest, OutputHasTheUmaskPermissions) {
  const mode_t old_mask = ::umask(022);
  const fs::path out = dir_ / "result.json";
  write_output(out.string(), "{}\n", {});
  ::umask(old_mask);
  EXPECT_EQ(fs::status(out).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

// Through a symbolic link the file it names is replaced; the link stays a link.
TEST_F(OutputFileTest, SymbolicLinkIsFollowedNotReplaced) {
  const fs::path real = dir_ / "sub" / "real.json", link = dir_ / "link.json";
  std::ofstream(real) << "old";
  fs::create_symlink(real, link);
  write_output(link.string(), "new", {});
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(real), "new");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "sub")) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary left next to the real file
}

}  // namespace
}  // namespace edgepart
