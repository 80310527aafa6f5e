// edgepart's entry point: builds the command line, dispatches to one subcommand, and is the only
// place that catches exceptions and chooses exit codes (docs/design.md §8):
// 0 ok, 1 internal error, 2 bad input or usage, 3 regression found by `check`; run adds 4 (some
// requests failed) and 5 (workers unreachable or not set up), docs/runtime.md.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>

#include "commands.hpp"
#include "edgepart/runtime/coordinator.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

#ifndef EDGEPART_VERSION
#define EDGEPART_VERSION "0.0.0"
#endif

namespace {

void set_up_logging(int verbosity, bool quiet) {
  auto logger = spdlog::stderr_color_mt("edgepart");
  logger->set_pattern("[%l] %v");  // no wall-clock time: logs diff cleanly
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum level = spdlog::level::warn;
  if (quiet) level = spdlog::level::err;
  else if (verbosity == 1) level = spdlog::level::info;
  else if (verbosity == 2) level = spdlog::level::debug;
  else if (verbosity >= 3) level = spdlog::level::trace;
  spdlog::set_level(level);
}

// A command-line mistake as an InputError: one line, `edgepart: error: ...`, exit 2 like any bad
// input. CLI11's "A subcommand is required" also answers a misspelt command ("simulat"); that
// one names the word and the closest command instead.
edgepart::InputError usage_error(const CLI::App& app, int argc, char** argv, const CLI::ParseError& e) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  const std::string first = argc > 1 ? argv[1] : "";
  if (!first.empty() && first[0] != '-' && std::find(names.begin(), names.end(), first) == names.end()) {
    const std::string hint = edgepart::closest_match(first, names);
    return edgepart::InputError("", "", "unknown command '" + first + "'" +
                                            (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                            " (edgepart --help lists the commands)");
  }
  std::string help = "edgepart --help";
  for (const CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) help = "edgepart " + sub->get_name() + " --help";
  return edgepart::InputError("", "", std::string(e.what()) + " (see " + help + ")");
}

int run(int argc, char** argv) {
  CLI::App app{
      "edgepart: plan and simulate distributed CNN inference at the network edge.\n\n"
      "Examples:\n"
      "  edgepart inspect models/vgg16.json          per-layer shapes, MACs, parameters, receptive fields\n"
      "  edgepart inspect resnet50 --format json     a zoo model by name, as JSON for scripts\n"
      "  edgepart validate models/*.json             every error of every file, one per line\n"
      "  edgepart import mynet.onnx -o mynet.json    ONNX to the JSON format (any command reads .onnx too)\n"
      "  edgepart list models                        the model zoo with totals\n"
      "  edgepart region vgg16 --to features.30 --rows 0:1   input region needed for part of a layer\n"
      "  edgepart verify vgg16 --strategy rows --devices 4   segmented vs whole execution (lossless?)\n"
      "  edgepart profile vgg16 -o host-vgg16.json   measured per-layer times (a device's \"profiles\")\n"
      "  edgepart calibrate host-*.json -o dev.json  fit the analytical compute model to profiles\n",
      "edgepart"};
  app.set_version_flag("--version", std::string("edgepart ") + EDGEPART_VERSION);
  app.require_subcommand(1);
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More log output on stderr (repeatable: -vv, -vvv)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");
  app.fallthrough();

  std::vector<edgepart::cli::Command> commands = {
      edgepart::cli::add_inspect_command(app),
      edgepart::cli::add_validate_command(app),
      edgepart::cli::add_list_command(app),
      edgepart::cli::add_plan_command(app),
      edgepart::cli::add_region_command(app),
      edgepart::cli::add_verify_command(app),
      edgepart::cli::add_profile_command(app),
      edgepart::cli::add_calibrate_command(app),
      edgepart::cli::add_simulate_command(app),
      edgepart::cli::add_import_command(app),
      edgepart::cli::add_check_command(app),
      edgepart::cli::add_sweep_command(app),
      edgepart::cli::add_worker_command(app),
      edgepart::cli::add_run_command(app),
      edgepart::cli::add_completion_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version are CLI11's to print; a usage error is ours, in the one error format.
    if (e.get_exit_code() == 0) return app.exit(e);
    throw usage_error(app, argc, argv, e);
  }
  set_up_logging(verbosity, quiet);
  for (auto& c : commands)
    if (c.app->parsed()) return c.run();
  return 2;
}

}  // namespace

// Output that never reached stdout (a full disk, a closed pipe with SIGPIPE ignored) makes the
// run a failure: stdio only reports it on a flush or in the stream's error flag, which nobody
// would look at after main returns.
int check_stdout(int code) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  if (flushed && !std::ferror(stdout) && !std::cout.fail()) return code;
  std::cerr << "edgepart: error: stdout: cannot write" << (err ? std::string(": ") + std::strerror(err) : "") << "\n";
  return code == 0 ? 2 : code;
}

int main(int argc, char** argv) {
  try {
    return check_stdout(run(argc, argv));
  } catch (const edgepart::InputError& e) {
    std::cerr << "edgepart: error: " << e.what() << "\n";
    return 2;
  } catch (const edgepart::runtime::RunSetupError& e) {
    std::cerr << "edgepart: error: workers: " << e.what() << "\n";
    return 5;
  } catch (const std::bad_alloc&) {
    std::cerr << "edgepart: internal error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "edgepart: internal error: " << e.what() << "\n";
    return 1;
  }
}
