#pragma once
// One add_/run_ pair per subcommand (CLI11's subcom_in_files pattern). add_* declares the options;
// run_* does the work after parsing and returns the exit code. Exceptions go up to main().
#include <CLI/CLI.hpp>

namespace edgepart::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_inspect_command(CLI::App& root);
Command add_validate_command(CLI::App& root);
Command add_list_command(CLI::App& root);
Command add_plan_command(CLI::App& root);
Command add_region_command(CLI::App& root);
Command add_verify_command(CLI::App& root);
Command add_profile_command(CLI::App& root);
Command add_calibrate_command(CLI::App& root);
Command add_simulate_command(CLI::App& root);
Command add_import_command(CLI::App& root);
Command add_check_command(CLI::App& root);
Command add_sweep_command(CLI::App& root);
Command add_worker_command(CLI::App& root);
Command add_run_command(CLI::App& root);
Command add_completion_command(CLI::App& root);  // hidden: the build writes bash completion

}  // namespace edgepart::cli
