// ONNX through the command line: `import` -> JSON -> `inspect` gives the totals `inspect` gives on
// the .onnx itself; `import` never writes over its input; every malformed file of
// tests/data/onnx/bad/ makes `inspect` and `validate` exit 2 with one error line that says what
// is wrong (and none crashes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "unit/cli/run_cli.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;

class TempDir {
public:
  TempDir() {
    char tmpl[] = "/tmp/edgepart_onnx_cli_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& name) const { return path_ / name; }

private:
  fs::path path_;
};

nlohmann::json totals_of(const std::vector<std::string>& args) {
  auto r = run_edgepart(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out).at("totals");
}

class ImportRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(ImportRoundTrip, InspectTotalsAreIdentical) {
  TempDir tmp;
  std::string onnx = GetParam();
  std::string json = (tmp / "model.json").string();
  auto r = run_edgepart({"import", onnx, "-o", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto a = totals_of({"inspect", onnx, "--format", "json"});
  auto b = totals_of({"inspect", json, "--format", "json"});
  EXPECT_EQ(a, b);
  EXPECT_GT(a.at("macs").get<int64_t>(), 0);
  // The imported file is a model `validate` accepts.
  EXPECT_EQ(run_edgepart({"validate", json}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(ZooAndFixtures, ImportRoundTrip,
                         ::testing::Values("models/resnet18.onnx", "models/mobilenet_v2.onnx", "models/googlenet.onnx",
                                           "models/densenet121.onnx", "tests/data/onnx/activations.onnx",
                                           "tests/data/onnx/pad_fold.onnx", "tests/data/onnx/pools.onnx"));

TEST(ImportCommand, WritesTheSameToStdoutAndFile) {
  TempDir tmp;
  std::string file = (tmp / "r.json").string();
  auto to_file = run_edgepart({"import", "tests/data/onnx/conv_forms.onnx", "-o", file});
  auto to_stdout = run_edgepart({"import", "tests/data/onnx/conv_forms.onnx"});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(slurp(file), to_stdout.out);
  auto doc = nlohmann::json::parse(to_stdout.out);
  EXPECT_EQ(doc.at("format"), "edgepart.model");
  EXPECT_EQ(doc.at("layers").at(1).at("padding"), nlohmann::json::array({0, 1, 2, 3}));
}

TEST(ImportCommand, RefusesToWriteOverItsInput) {
  TempDir tmp;
  fs::path copy = tmp / "m.onnx";
  fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/pools.onnx", copy);
  std::string before = slurp(copy.string());
  auto r = run_edgepart({"import", copy.string(), "-o", copy.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("refusing to write the output over an input file"));
  EXPECT_EQ(slurp(copy.string()), before);
}

// The external-data file a model reads is an input too: `import m.onnx -o m.bin` overwrote it.
TEST(ImportCommand, RefusesToWriteOverTheModelsExternalData) {
  TempDir tmp;
  for (const char* f : {"external_values.onnx", "external_values.bin"})
    fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx" / f, tmp / f);
  const std::string bin = (tmp / "external_values.bin").string();
  const std::string before = slurp(bin);
  auto r = run_edgepart({"import", (tmp / "external_values.onnx").string(), "-o", bin});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr(bin + ": refusing to write the output over an input file"));
  EXPECT_EQ(slurp(bin), before);
}

// External data is confined to the model's folder by real path: a link inside it to a device or
// to a file elsewhere is not read (it was: /dev/zero as zeros, /etc/passwd echoed as a number),
// and a FIFO there is refused instead of blocking forever.
TEST(OnnxExternalData, LinksOutOfTheFolderAreNotReadAndFifosAreRefused) {
  const std::string clip_needs = "node 'clip' (Clip): needs the values of its min (initializer 'lo'), but its data is stored "
                                 "externally in 'external_values.bin', outside the model's folder (not read)";
  for (const char* target : {"/dev/zero", "/etc/passwd"}) {
    TempDir tmp;
    fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/external_values.onnx", tmp / "m.onnx");
    fs::create_symlink(target, tmp / "external_values.bin");
    auto r = run_edgepart({"inspect", (tmp / "m.onnx").string()});
    EXPECT_EQ(r.exit_code, 2) << target << ": " << r.err;
    EXPECT_EQ(r.err_lines(), 1u) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr(clip_needs)) << target;
  }
  {
    TempDir tmp;
    fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/external_values.onnx", tmp / "m.onnx");
    ASSERT_EQ(::mkfifo((tmp / "external_values.bin").c_str(), 0600), 0);
    auto r = run_edgepart({"inspect", (tmp / "m.onnx").string()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err_lines(), 1u) << r.err;
    EXPECT_THAT(r.err, ::testing::HasSubstr("initializer 'lo': external data 'external_values.bin': cannot read: a FIFO, "
                                            "not a regular file"));
  }
  {
    // A link that stays inside the folder is followed.
    TempDir tmp;
    fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/external_values.onnx", tmp / "m.onnx");
    fs::copy_file(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/external_values.bin", tmp / "real.bin");
    fs::create_symlink("real.bin", tmp / "external_values.bin");
    auto r = run_edgepart({"inspect", (tmp / "m.onnx").string(), "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
}

// The model file itself: a FIFO was opened blocking and never returned.
TEST(OnnxExternalData, FifoAsTheModelIsRefused) {
  TempDir tmp;
  ASSERT_EQ(::mkfifo((tmp / "m.onnx").c_str(), 0600), 0);
  auto r = run_edgepart({"inspect", (tmp / "m.onnx").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("cannot read: a FIFO, not a regular file"));
}

TEST(ImportCommand, RejectsJsonModels) {
  auto r = run_edgepart({"import", "models/vgg16.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("import reads ONNX models"));
}

// file -> a substring the one error line must contain (written from what each file breaks).
const std::map<std::string, std::string> kBad = {
    {"bad_wire_type.onnx", "not a valid ONNX file: protobuf wire type 7"},
    // Sizes from file data that overflow 64 bits: dims x element size wrapped to 0 and an empty
    // raw_data passed the size check (a read out of bounds); SAME and Pad arithmetic overflowed.
    {"bytes_overflow_int64.onnx", "initializer 'shape': dims [2305843009213693952] of INT64 overflow 64-bit arithmetic (bytes)"},
    {"bytes_overflow_float.onnx", "initializer 'shape': dims [4294967296,1073741824] of FLOAT overflow 64-bit arithmetic (bytes)"},
    {"bytes_overflow_external.onnx", "initializer 'shape': dims [2305843009213693952] of INT64 overflow 64-bit arithmetic (bytes)"},
    {"same_pads_overflow.onnx", "node 'conv' (Conv): sizes overflow 64-bit arithmetic"},
    {"pads_overflow.onnx", "node 'pad' (Pad): sizes overflow 64-bit arithmetic"},
    {"opset_huge.onnx", "opset_import version 4611686018427387904 of the default ONNX domain is not a real opset (at most 1000)"},
    {"opset_twice.onnx", "two opset_import entries for the default ONNX domain (versions 13 and 11)"},
    {"batch_4.onnx", "graph input 'x': must be [N,C,H,W] with batch 1"},
    {"clip_unavailable.onnx", "node 'clip' (Clip): needs the values of its min (initializer 'lo'), but its data is stored externally in 'weights.bin'"},
    {"cycle.onnx", "the nodes form a cycle: node 'n2' (Relu) -> node 'n1' (Add) -> node 'n2' (Relu)"},
    {"dangling_input.onnx", "node 'r' (Relu): reads 'ghost', which is not a graph input"},
    {"empty.onnx", "empty file"},
    // An operator named "" printed as nothing: "unsupported ONNX operator:  (first: ...)".
    {"empty_op_type.onnx", "unsupported ONNX operator: <empty> (first: node 'nameless' (<empty>))"},
    // Pads of 2 on a 2x2 window (PyTorch's and the JSON loader's rule: at most half the kernel).
    {"pool_padding_over_half.onnx", "padding must be at most half the kernel (kernel 2x2, got padding top/left/bottom/right 2/2/2/2)"},
    {"empty_graph.onnx", "the graph has no nodes"},
    {"gemm_dims.onnx", "node 'fc' (Gemm): inconsistent dims: the input has 256 features, but the weight [10,200] with transB=1 expects 200"},
    {"huge_length.onnx", "truncated ONNX file"},
    {"indices_output.onnx", "graph output 'idx': is an output of its node that edgepart does not model"},
    {"inconsistent_dims.onnx", "node 'conv' (Conv): inconsistent dims: the input has 3 channels"},
    {"json.onnx", "not a valid ONNX file"},
    {"missing_attribute.onnx", "node 'pool' (MaxPool): MaxPool needs attribute 'kernel_shape'"},
    {"no_graph.onnx", "not an ONNX model: the protobuf message has no graph"},
    {"reflect_before_conv.onnx", "cannot fold the reflect padding of node 'pad' (Pad) into Conv exactly"},
    {"reshape_unsupported.onnx", "Reshape from [1,4,8,8] to [1,2,128] is not supported"},
    {"resize_linear.onnx", "node 'up' (Resize): mode 'linear' is not supported"},
    {"text.onnx", "not a valid ONNX file"},
    {"truncated.onnx", "truncated ONNX file"},
    {"training_output_used.onnx", "node 'bn' (BatchNormalization): its output 3 ('saved_mean') is used, but edgepart models only the first output of BatchNormalization"},
    {"two_inputs.onnx", "edgepart models have one input tensor; the graph has 2 ('x', 'x2')"},
    {"unsupported_ops.onnx", "unsupported ONNX operators: Einsum (first: node 'e1' (Einsum)), TopK (first: node 'top' (TopK)), com.example.FancyOp (first: node 'fancy' (FancyOp))"},
    {"value_info_mismatch.onnx", "node 'conv' (Conv): output 'conv_out' has shape [1,8,30,30] in the file (value_info), but edgepart computes [1,8,32,32]"},
    {"written_twice.onnx", "node 'r2' (Sigmoid): writes 'y', which node 'r1' (Relu) also writes"},
};

TEST(OnnxBadCorpus, EveryFileHasAnExpectation) {
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx/bad"))
    files.insert(e.path().filename().string());
  std::set<std::string> expected;
  for (const auto& [f, _] : kBad) expected.insert(f);
  EXPECT_EQ(files, expected);
  EXPECT_GE(files.size(), 10u);
}

TEST(OnnxBadCorpus, OneLineExitTwoNoCrash) {
  for (const auto& [file, message] : kBad) {
    std::string path = "tests/data/onnx/bad/" + file;
    for (const char* cmd : {"inspect", "validate"}) {
      auto r = run_edgepart({cmd, path});
      EXPECT_EQ(r.signal, 0) << cmd << " " << file << " crashed";
      EXPECT_EQ(r.exit_code, 2) << cmd << " " << file << ": " << r.err;
      EXPECT_EQ(r.err_lines(), 1u) << cmd << " " << file << ": " << r.err;
      EXPECT_EQ(r.err.rfind("edgepart: error: " + path + ": ", 0), 0u) << r.err;
      EXPECT_THAT(r.err, ::testing::HasSubstr(message)) << cmd << " " << file;
    }
  }
}

TEST(OnnxFixturesCli, EveryGoodFixtureValidates) {
  for (const auto& e : fs::directory_iterator(fs::path(EDGEPART_SOURCE_DIR) / "tests/data/onnx")) {
    if (e.path().extension() != ".onnx") continue;
    auto r = run_edgepart({"validate", e.path().string()});
    EXPECT_EQ(r.exit_code, 0) << e.path() << ": " << r.err;
  }
}

}  // namespace
// A fuzzer regression file (tests/data/fuzz/README.md): an out-of-range Unsqueeze axis was an
// internal error (std::out_of_range), exit 1.
TEST(OnnxFuzzRegression, UnsqueezeAxisOutOfRangeIsAnInputError) {
  auto r = run_edgepart({"inspect", "tests/data/fuzz/onnx_unsqueeze_axis_out_of_range.onnx"});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err_lines(), 1u) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("node 'unsq' (Unsqueeze): Unsqueeze axis 3301632 is out of range for output rank 1"));
}

}  // namespace edgepart
