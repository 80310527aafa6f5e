#pragma once
// Options and helpers shared by the subcommands (STYLE §4.4): output format and destination,
// and finding the model zoo.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace edgepart::cli {

enum class Format { table, json, csv };

struct OutputOptions {
  std::string format = "auto";  // auto = table on a terminal, json otherwise
  std::string output = "-";     // -o FILE; "-" = stdout
};

void add_output_options(CLI::App* cmd, OutputOptions& o, std::vector<std::string> formats = {"table", "json", "csv"});
Format resolve_format(const OutputOptions& o);

// Writes a result to -o (safely, never over `inputs`) or stdout.
void emit(const OutputOptions& o, const std::string& text, const std::vector<std::string>& inputs);

// Folders searched for zoo models: $EDGEPART_HOME/models, ./models, the source tree's models/.
std::vector<std::string> model_dirs();
// A model argument: an existing path, or a zoo name ("vgg16") found in model_dirs().
std::string resolve_model_path(const std::string& arg);

}  // namespace edgepart::cli
