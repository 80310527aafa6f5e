#include "common.hpp"

#include "edgepart/exec/tensor.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "edgepart/util/output_file.hpp"

namespace edgepart::cli {

Json comparison_json(const exec::Comparison& cmp, bool lossless_expected) {
  return Json{{"max_abs_error", cmp.max_abs_error},
              {"max_abs_output", cmp.max_abs_output},
              {"rel_l2_error", cmp.rel_l2_error},
              {"top1_agrees", cmp.top1_agrees},
              {"lossless_expected", lossless_expected},
              {"within_tolerance", exec::within_lossless_tolerance(cmp)},
              {"tolerance", exec::kLosslessTolerance}};
}


namespace fs = std::filesystem;

void add_output_options(CLI::App* cmd, OutputOptions& o, std::vector<std::string> formats) {
  formats.insert(formats.begin(), "auto");
  cmd->add_option("--format", o.format, "Output format (auto: table on a terminal, else json)")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  cmd->add_option("-o,--output", o.output, "Write the result to FILE (written atomically; '-' = stdout)");
}

Format resolve_format(const OutputOptions& o) {
  if (o.format == "table") return Format::table;
  if (o.format == "csv") return Format::csv;
  if (o.format == "json") return Format::json;
  bool terminal = (o.output.empty() || o.output == "-") && ::isatty(STDOUT_FILENO);
  return terminal ? Format::table : Format::json;
}

void emit(const OutputOptions& o, const std::string& text, const std::vector<std::string>& inputs) {
  write_output(o.output, text, inputs);
}

std::vector<std::string> model_dirs() {
  std::vector<std::string> dirs;
  if (const char* home = std::getenv("EDGEPART_HOME")) dirs.push_back((fs::path(home) / "models").string());
  dirs.push_back("models");
#ifdef EDGEPART_SOURCE_DIR
  dirs.push_back((fs::path(EDGEPART_SOURCE_DIR) / "models").string());
#endif
  return dirs;
}

std::string resolve_model_path(const std::string& arg) {
  std::error_code ec;
  if (fs::exists(arg, ec) || arg.find('/') != std::string::npos || fs::path(arg).has_extension()) return arg;
  for (const auto& dir : model_dirs())
    for (const char* ext : {".json", ".onnx"}) {
      fs::path candidate = fs::path(dir) / (arg + ext);
      if (fs::exists(candidate, ec)) return candidate.string();
    }
  return arg;  // the loader reports it missing, naming what the user wrote
}

}  // namespace edgepart::cli
