#pragma once
// Options and helpers shared by the subcommands (STYLE §4.4): output format and destination,
// and finding the model zoo.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "edgepart/util/json_read.hpp"

namespace edgepart::exec {
struct Comparison;
}

namespace edgepart::cli {

// The output check's JSON keys (verify, run: docs/design.md §8): errors against the whole-model
// run, whether the plan is lossless and whether the error is within exec::kLosslessTolerance.
Json comparison_json(const exec::Comparison& cmp, bool lossless_expected);


enum class Format { table, json, csv };

struct OutputOptions {
  std::string format = "auto";  // auto = table on a terminal, json otherwise
  std::string output = "-";     // -o FILE; "-" = stdout
};

void add_output_options(CLI::App* cmd, OutputOptions& o, std::vector<std::string> formats = {"table", "json", "csv"});
Format resolve_format(const OutputOptions& o);

// Writes a result to -o (safely, never over `inputs`) or stdout.
void emit(const OutputOptions& o, const std::string& text, const std::vector<std::string>& inputs);

// --seed: a master seed is 0 .. 2^63 - 1, as in a scenario file (its "seed" key); CLI11 alone
// would wrap "-1" to 2^64 - 1 silently.
CLI::Option* add_seed_option(CLI::App* cmd, std::optional<uint64_t>& seed, const std::string& help);
CLI::Option* add_seed_option(CLI::App* cmd, uint64_t& seed, const std::string& help);
// --requests: at least 1, as the scenario's workload.requests (docs/formats.md).
CLI::Option* add_requests_option(CLI::App* cmd, int64_t& requests);

// Every output option of one command names a different file: two of them on one path would
// leave only the last one written. `outputs` pairs an option name with its path ("" = not given).
void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs);

// A model argument: an existing path, or a zoo name ("vgg16", include/edgepart/model/zoo.hpp).
std::string resolve_model_path(const std::string& arg);

}  // namespace edgepart::cli
