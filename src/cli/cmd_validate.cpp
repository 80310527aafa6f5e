// `edgepart validate FILE...`: every error of every file, one per line on stderr; exit 2 if any.
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/profile.hpp"

namespace edgepart::cli {

namespace {

struct ValidateOptions {
  std::vector<std::string> files;
};

// The kind of file: .onnx is a model; JSON files say what they are in "format".
std::string file_kind(const std::string& path) {
  if (model::is_onnx_path(path)) return "edgepart.model";
  Json doc = read_json_file(path);
  JsonCursor root(doc, path);
  root.expect_object();
  return root.at("format").as_string();
}

// Returns the errors of one model file and a one-line summary when there are none.
std::vector<InputError> check_model(const std::string& path, std::string& summary) {
  auto errors = model::check_model_file(path);
  if (!errors.empty()) return errors;
  try {
    model::ModelGraph g = model::load_model(path);
    auto a = cost::analyze(g);
    summary = "model '" + g.name + "', " + std::to_string(g.size()) + " layers";
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

// A scenario: strict parsing, the model it names, and its strategy name (the first error wins:
// a scenario's parts depend on each other).
std::vector<InputError> check_scenario(const std::string& path, std::string& summary) {
  std::vector<InputError> errors;
  try {
    scenario::Scenario s = scenario::load_scenario(path);
    model::ModelGraph g = scenario::load_scenario_model(s);
    cost::analyze(g);
    for (const auto& d : s.devices) timing::load_device_profiles(d, g);  // every listed file read and checked
    try {
      strategy::find_strategy(s.strategy.name);
    } catch (const InputError& e) {
      throw InputError(path, "/strategy/name", e.message());
    }
    summary = "scenario '" + s.name + "', " + std::to_string(s.devices.size()) + " devices, model '" + g.name + "'";
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

std::vector<InputError> check_profile(const std::string& path, std::string& summary) {
  std::vector<InputError> errors;
  try {
    timing::Profile p = timing::load_profile(path);
    size_t points = 0;
    for (const auto& l : p.layers) points += l.points.size();
    summary = "profile of '" + p.model_name + "', " + std::to_string(p.layers.size()) + " layers, " +
              std::to_string(points) + " points";
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

std::vector<InputError> check_plan(const std::string& path, std::string& summary) {
  std::vector<InputError> errors;
  try {
    plan::Plan p = plan::load_plan(path);
    size_t tasks = 0;
    for (const auto& v : p.variants) tasks += v.tasks.size();
    summary = "plan '" + p.strategy + "' for '" + p.model_name + "', " + std::to_string(tasks) + " tasks";
  } catch (const InputError& e) {
    errors.push_back(e);
  }
  return errors;
}

int run_validate(const ValidateOptions& o) {
  bool any_error = false;
  for (const auto& arg : o.files) {
    std::string path = resolve_model_path(arg);
    std::vector<InputError> errors;
    std::string summary;
    try {
      std::string kind = file_kind(path);
      if (kind == "edgepart.model") {
        errors = check_model(path, summary);
      } else if (kind == "edgepart.scenario") {
        errors = check_scenario(path, summary);
      } else if (kind == "edgepart.plan") {
        errors = check_plan(path, summary);
      } else if (kind == "edgepart.profile") {
        errors = check_profile(path, summary);
      } else {
        errors.emplace_back(path, "/format", "unknown format \"" + kind +
                                                 "\" (expected edgepart.model, edgepart.scenario, edgepart.plan or edgepart.profile)");
      }
    } catch (const InputError& e) {
      errors.push_back(e);
    }
    for (const auto& e : errors) std::cerr << "edgepart: error: " << e.what() << "\n";
    if (errors.empty()) std::cout << path << ": ok (" << summary << ")\n";
    any_error = any_error || !errors.empty();
  }
  return any_error ? 2 : 0;
}

}  // namespace

Command add_validate_command(CLI::App& root) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* cmd = root.add_subcommand("validate", "Check model (JSON or ONNX), scenario, plan and profile files: every error, one per line");
  cmd->footer("Examples:\n  edgepart validate models/*.json\n  edgepart validate my_model.onnx");
  cmd->add_option("files", o->files, "Files to check")->required();
  return {cmd, [o] { return run_validate(*o); }};
}

}  // namespace edgepart::cli
