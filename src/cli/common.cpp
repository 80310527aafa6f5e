#include "common.hpp"

#include "edgepart/exec/tensor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "edgepart/model/zoo.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "edgepart/util/strings.hpp"

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

namespace {

// The text of a seed: decimal digits only (no sign, so "-1" cannot wrap), at most INT64_MAX.
const CLI::Validator kSeedValidator(
    [](std::string& text) -> std::string {
      const bool digits = !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoull(text) > static_cast<unsigned long long>(INT64_MAX))
        return "a seed is an integer from 0 to " + std::to_string(INT64_MAX) + " (got " + text + ")";
      return "";
    },
    "SEED");

}  // namespace

CLI::Option* add_seed_option(CLI::App* cmd, std::optional<uint64_t>& seed, const std::string& help) {
  return cmd->add_option("--seed", seed, help)->check(kSeedValidator);
}

CLI::Option* add_seed_option(CLI::App* cmd, uint64_t& seed, const std::string& help) {
  return cmd->add_option("--seed", seed, help)->check(kSeedValidator)->capture_default_str();
}

CLI::Option* add_requests_option(CLI::App* cmd, int64_t& requests) {
  return cmd->add_option("--requests", requests, "Number of requests (default: the scenario's workload)")
      ->check(CLI::PositiveNumber);
}

void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  auto is_stdout = [](const std::string& path) { return path == "-"; };
  // /dev/null twice is fine: a character device is written in place and keeps nothing.
  auto discards = [](const std::string& path) {
    std::error_code ec;
    return fs::is_character_file(path, ec);
  };
  for (size_t i = 0; i < outputs.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const std::string &a = outputs[j].second, &b = outputs[i].second;
      if (a.empty() || b.empty() || discards(a) || discards(b)) continue;
      if ((is_stdout(a) && is_stdout(b)) || (!is_stdout(a) && !is_stdout(b) && same_file(a, b)))
        throw InputError(b, "", "given to both " + outputs[j].first + " and " + outputs[i].first +
                                    " (each output needs its own file)");
    }
}

std::string resolve_model_path(const std::string& arg) {
  std::error_code ec;
  if (fs::exists(arg, ec) || !model::is_bare_model_name(arg)) return arg;
  if (std::string path = model::find_zoo_model(arg); !path.empty()) return path;
  // Not a file and not in the zoo: a bare word was meant as a zoo name, so say where names are
  // listed and which is closest (vgg19 -> vgg16). Anything else the loader reports as missing.
  throw InputError(arg, "", "no such file, and no zoo model of that name" + model::zoo_hint(arg));
}

}  // namespace edgepart::cli
