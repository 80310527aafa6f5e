// `edgepart calibrate PROFILE... [-o DEVICE.json] [--holdout MODEL]`: fits the analytical model's
// device parameters (docs/timing.md "Calibration") to measured profiles and reports how well they
// predict each model; the fitting itself is timing::fit_analytical.
#include <cmath>
#include <map>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/timing/calibrate.hpp"
#include "edgepart/timing/profile.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

struct CalibrateOptions {
  std::vector<std::string> profiles;
  std::vector<std::string> models;  // NAME=PATH
  std::string holdout;
  std::string device_name;
  std::string device_file;  // -o
  std::string format = "auto";
  bool all_points = false;  // fit on partial heights too (default: whole layers; reports cover every point)
};

struct Loaded {
  std::string model;  // the profile's model name
  std::string file;   // the profile file
  std::vector<timing::CalibrationPoint> points;
};

// NAME=PATH options as a map; InputError on a malformed one.
std::map<std::string, std::string> model_overrides(const std::vector<std::string>& specs) {
  std::map<std::string, std::string> m;
  for (const auto& s : specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
      throw InputError("--model", "", "expected NAME=PATH (got '" + s + "')");
    m[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return m;
}

std::vector<Loaded> load_all(const CalibrateOptions& o, std::vector<std::string>& inputs) {
  const auto overrides = model_overrides(o.models);
  std::vector<Loaded> all;
  for (const std::string& file : o.profiles) {
    timing::Profile p = timing::load_profile(file);
    auto it = overrides.find(p.model_name);
    const std::string path = it != overrides.end() ? it->second : resolve_model_path(p.model_name);
    model::ModelGraph g = model::load_model(path);
    timing::check_profile_matches(p, g, file);
    cost::ModelAnalysis a = cost::analyze(g);
    all.push_back(Loaded{p.model_name, file, timing::calibration_points(p, g, a)});
    inputs.push_back(file);
    inputs.push_back(path);
  }
  return all;
}

std::vector<timing::CalibrationPoint> points_except(const std::vector<Loaded>& loaded, const std::string& except) {
  std::vector<timing::CalibrationPoint> pts;
  for (const auto& l : loaded)
    if (l.model != except) pts.insert(pts.end(), l.points.begin(), l.points.end());
  return pts;
}

// The device fragment (docs/formats.md "Device"), to paste into a scenario's `devices`.
Json device_json(const timing::CalibrationFit& fit, const std::string& name, const std::vector<Loaded>& used) {
  std::vector<std::string> files;
  for (const auto& l : used) files.push_back(l.file + " (" + l.model + ")");
  Json eff = Json::object();
  for (const auto& [cls, e] : fit.device.class_efficiency) eff[std::string(timing::op_class_name(cls))] = e;
  Json d{{"name", name},
         {"comment", "edgepart calibrate: analytical model fitted on " + std::to_string(fit.points) + " points of " +
                         join(files, ", ")},
         {"speed_gflops", fit.device.peak_gflops},
         {"efficiency", eff},
         {"layer_overhead_ms", fit.device.layer_overhead_s * 1000}};
  if (fit.device.memory_gbps > 0) d["memory_gbps"] = fit.device.memory_gbps;
  return d;
}

Json class_json(const timing::CalibrationFit& fit) {
  Json out = Json::array();
  for (const auto& c : fit.classes) {
    Json j{{"class", std::string(timing::op_class_name(c.cls))},
           {"efficiency", fit.device.class_efficiency.at(c.cls)},
           {"gflops", fit.device.peak_gflops * fit.device.class_efficiency.at(c.cls)}};
    j["source"] = c.fitted ? "fitted"
                  : c.borrowed_from ? "nearest:" + std::string(timing::op_class_name(*c.borrowed_from))
                                    : std::string("overall");
    out.push_back(j);
  }
  return out;
}

Json report_json(const timing::ModelFitReport& r, const std::string& role) {
  Json unseen = Json::array();
  for (auto c : r.unseen_classes) unseen.push_back(std::string(timing::op_class_name(c)));
  return Json{{"model", r.model},
              {"role", role},
              {"layers", r.layers},
              {"points", r.points},
              {"measured_s", r.measured_s},
              {"predicted_s", r.predicted_s},
              {"whole_rel_error", r.whole_rel_error},
              {"median_layer_abs_rel_error", r.median_layer_abs_rel_error},
              {"median_point_abs_rel_error", r.median_point_abs_rel_error},
              {"unseen_classes", unseen},
              {"unseen_layers", r.unseen_layers},
              {"median_unseen_abs_rel_error", r.median_unseen_abs_rel_error},
              {"seen_rel_error", r.seen_rel_error}};
}

std::string percent(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f%%", 100 * x);
  return b;
}

std::string fixed(double x, const char* fmt) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, x);
  return b;
}

std::string table_text(const Json& doc) {
  using A = report::TextTable::Align;
  const Json& d = doc.at("device");
  std::string out = "fit: " + std::to_string(doc.at("fit").at("points").get<int64_t>()) + " points, rms |ln(predicted/measured)| " +
                    fixed(doc.at("fit").at("rms_log_error").get<double>(), "%.3f") + "; peak " +
                    fixed(d.at("speed_gflops").get<double>(), "%.3g") + " GFLOP/s, memory " +
                    (d.contains("memory_gbps") ? fixed(d.at("memory_gbps").get<double>(), "%.3g") + " GB/s" : "none") +
                    ", layer overhead " + fixed(d.at("layer_overhead_ms").get<double>() * 1000, "%.3g") + " us\n\n";
  report::TextTable classes({"class", "GFLOP/s", "efficiency", "source"}, {A::left, A::right, A::right, A::left});
  for (const auto& c : doc.at("classes"))
    classes.add_row({c.at("class").get<std::string>(), fixed(c.at("gflops").get<double>(), "%.3g"),
                     fixed(c.at("efficiency").get<double>(), "%.4f"), c.at("source").get<std::string>()});
  out += classes.render() + "\n";
  report::TextTable models({"model", "role", "layers", "measured ms", "predicted ms", "whole err", "median |layer err|",
                            "unseen layers (median |err|)"},
                           {A::left, A::left, A::right, A::right, A::right, A::right, A::right, A::left});
  for (const auto& m : doc.at("models")) {
    std::string unseen = "-";
    if (m.at("unseen_layers").get<int64_t>() > 0) {
      std::vector<std::string> names;
      for (const auto& c : m.at("unseen_classes")) names.push_back(c.get<std::string>());
      unseen = std::to_string(m.at("unseen_layers").get<int64_t>()) + " " + join(names, ",") + " (" +
               fixed(m.at("median_unseen_abs_rel_error").get<double>() * 100, "%.1f%%") + "); other layers " +
               percent(m.at("seen_rel_error").get<double>());
    }
    models.add_row({m.at("model").get<std::string>(), m.at("role").get<std::string>(),
                    std::to_string(m.at("layers").get<int64_t>()), fixed(m.at("measured_s").get<double>() * 1000, "%.2f"),
                    fixed(m.at("predicted_s").get<double>() * 1000, "%.2f"), percent(m.at("whole_rel_error").get<double>()),
                    fixed(m.at("median_layer_abs_rel_error").get<double>() * 100, "%.1f%%"), unseen});
  }
  return out + models.render();
}

int run_calibrate(const CalibrateOptions& o) {
  std::vector<std::string> inputs;
  std::vector<Loaded> loaded = load_all(o, inputs);
  if (!o.holdout.empty()) {
    bool found = false;
    std::vector<std::string> names;
    for (const auto& l : loaded) found = found || l.model == o.holdout, names.push_back(l.model);
    if (!found) throw InputError("--holdout", "", "no profile of model '" + o.holdout + "' (profiles of: " + join(names, ", ") + ")");
  }
  std::vector<Loaded> used;
  for (const auto& l : loaded)
    if (l.model != o.holdout) used.push_back(l);
  if (used.empty()) throw InputError("--holdout", "", "every profile is of the held-out model: nothing left to fit");
  std::vector<timing::CalibrationPoint> train = points_except(loaded, o.holdout);
  // Whole layers by default: on the six zoo CNNs' profiles that fits held-out models better on
  // every point, partial heights included (docs/timing.md "Calibration").
  if (!o.all_points) std::erase_if(train, [](const timing::CalibrationPoint& p) { return !p.whole_layer; });
  bool has_flops = false;
  for (const auto& p : train) has_flops = has_flops || p.flops > 0;
  if (!has_flops) throw InputError(o.profiles.front(), "/layers", "no measured layer has FLOPs: nothing to fit");
  const timing::CalibrationFit fit = timing::fit_analytical(train);

  Json doc;
  const std::string name = o.device_name.empty() ? "calibrated" : o.device_name;
  doc["device"] = device_json(fit, name, used);
  doc["fit"] = Json{{"points", fit.points}, {"rms_log_error", std::sqrt(fit.mean_sq_log_error)}};
  doc["classes"] = class_json(fit);
  Json models = Json::array();
  for (const auto& r : timing::evaluate_fit(fit.device, points_except(loaded, o.holdout), fit.seen_classes)) models.push_back(report_json(r, "fit"));
  if (!o.holdout.empty())
    for (const auto& r : timing::evaluate_fit(fit.device, points_except(loaded, ""), fit.seen_classes))
      if (r.model == o.holdout) models.push_back(report_json(r, "holdout"));
  doc["models"] = models;
  if (!o.holdout.empty()) doc["holdout"] = o.holdout;

  if (!o.device_file.empty()) write_output(o.device_file, doc["device"].dump(2) + "\n", inputs);
  OutputOptions out;
  out.format = o.format;
  emit(out, resolve_format(out) == Format::table ? table_text(doc) : doc.dump(2) + "\n", inputs);
  return 0;
}

}  // namespace

Command add_calibrate_command(CLI::App& root) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = root.add_subcommand(
      "calibrate",
      "Fit a device's analytical compute model (peak, per-class efficiency, memory bandwidth, per-layer\n"
      "overhead) to measured profiles, and report the fit per model.\n\n"
      "Examples:\n"
      "  edgepart calibrate profiles/*.json -o mydevice.json      fit, write the scenario device\n"
      "  edgepart calibrate profiles/*.json --holdout resnet50    fit without resnet50, report its error\n");
  cmd->add_option("profiles", o->profiles, "Profile files (docs/formats.md \"Profile\")")->required();
  cmd->add_option("-o,--output", o->device_file,
                  "Write the fitted device (a scenario `devices` entry) to FILE (atomically)");
  cmd->add_option("--holdout", o->holdout, "Fit without this model's profiles and report its error separately");
  cmd->add_option("--model", o->models,
                  "NAME=PATH: the model file of profiles of model NAME (default: the zoo model NAME)");
  cmd->add_flag("--all-points", o->all_points, "Fit on every point, partial heights too (default: whole layers only)");
  cmd->add_option("--name", o->device_name, "The device's name in the written fragment (default: calibrated)");
  cmd->add_option("--format", o->format, "Report format (auto: table on a terminal, else json)")
      ->check(CLI::IsMember({"auto", "table", "json"}))
      ->capture_default_str();
  return Command{cmd, [o] { return run_calibrate(*o); }};
}

}  // namespace edgepart::cli
