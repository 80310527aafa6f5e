// `edgepart profile MODEL`: measures every layer alone with the Eigen reference executor at several
// output heights and writes the profile (docs/formats.md "Profile") that the cost model reads
// through a scenario device's "profiles" key. The measurement is profiler::measure_profile; this
// file only parses options and prints.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/pipeline/layer_args.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/profiler/measure.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"
#include "edgepart/util/strings.hpp"

#ifndef EDGEPART_VERSION
#define EDGEPART_VERSION "0.0.0"
#endif

namespace edgepart::cli {

using pipeline::find_layer_arg;
using pipeline::parse_name_range;

namespace {

struct ProfileOptions {
  std::string model, heights = "all,1/2,1/4,1/8,1", layers, output, format = "auto";
  int64_t runs = 21, warmup = 3;
  double max_seconds_per_point = 2.0;
  uint64_t seed = 1;
  std::string clock = "wall";
  bool isolated = false;
};

std::string ms(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s * 1e3);
  return buf;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

std::string gflops(double flops, double s) {
  if (!(s > 0)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", flops / s / 1e9);
  return buf;
}

// The kind of layer for the per-kind summary: convolutions by kernel and grouping (their
// effective speeds differ by orders of magnitude), every other op by name.
std::string op_class(const model::Layer& l) {
  if (l.kind != model::OpKind::conv2d) return std::string(model::op_name(l.kind));
  const auto& c = l.as<model::Conv2dAttrs>();
  std::string k = std::to_string(c.kernel.h) + "x" + std::to_string(c.kernel.w);
  return c.groups > 1 ? "conv2d " + k + " grouped" : "conv2d " + k;
}

std::string render_table(const timing::Profile& p, const model::ModelGraph& g, const cost::ModelAnalysis& a) {
  using A = report::TextTable::Align;
  report::TextTable t({"layer", "name", "op", "output", "whole (ms)", "spread", "GFLOP/s", "1 row (ms)"},
                      {A::right, A::left, A::left, A::left, A::right, A::right, A::right, A::right});
  struct Sum {
    double flops = 0, s = 0;
    int layers = 0;
  };
  std::map<std::string, Sum> by_class;
  Sum total;
  for (const auto& l : p.layers) {
    const timing::ProfilePoint& whole = l.points.back();  // the tallest (full-width) point: the whole map
    const timing::ProfilePoint& first = l.points.front();
    const auto flops = static_cast<double>(a.layers[static_cast<size_t>(l.layer)].flops);
    const double spread = whole.median_s > 0 ? (whole.p75_s - whole.p25_s) / whole.median_s : 0;
    t.add_row({std::to_string(l.layer), l.name, l.op, l.output.to_string(), ms(whole.median_s), percent(spread),
               gflops(flops, whole.median_s), first.rows == 1 ? ms(first.median_s) : "-"});
    Sum& c = by_class[op_class(g.layer(l.layer))];
    c.flops += flops;
    c.s += whole.median_s;
    ++c.layers;
    total.flops += flops;
    total.s += whole.median_s;
    ++total.layers;
  }
  t.add_separator();
  t.add_row({"", "total", "", "", ms(total.s), "", gflops(total.flops, total.s), ""});
  report::TextTable k({"op kind", "layers", "time (ms)", "share", "GFLOP/s"}, {A::left, A::right, A::right, A::right, A::right});
  for (const auto& [name, c] : by_class)
    k.add_row({name, std::to_string(c.layers), ms(c.s), percent(total.s > 0 ? c.s / total.s : 0), gflops(c.flops, c.s)});
  char head[512];
  std::snprintf(head, sizeof head, "%s on %s (%s, %ld thread), median of up to %ld runs after %ld warm-up\n",
                p.model_name.c_str(), p.measured_on.cpu.c_str(), p.measured_on.runtime.c_str(),
                static_cast<long>(p.measured_on.threads), static_cast<long>(p.settings.runs),
                static_cast<long>(p.settings.warmup));
  return head + t.render() + "\n" + k.render();
}

int run_profile(const ProfileOptions& o) {
  std::string path = resolve_model_path(o.model);
  model::ModelGraph g = model::load_model(path);
  cost::ModelAnalysis a = cost::analyze(g);

  profiler::MeasureOptions m;
  m.runs = o.runs;
  m.warmup = o.warmup;
  m.heights = profiler::parse_heights(o.heights, "--heights");
  m.max_seconds_per_point = o.max_seconds_per_point;
  m.seed = o.seed;
  m.cpu_clock = o.clock == "cpu";
  m.whole_in_sequence = !o.isolated;
  // The clock and the method are part of what was measured (tools/profile_torch.py records its
  // clock the same way).
  m.runtime = std::string("edgepart-eigen ") + EDGEPART_VERSION + " (" + profiler::eigen_version() + ")" +
              (m.cpu_clock ? " (thread CPU time)" : "") + (m.whole_in_sequence ? " (whole layers in sequence)" : "");
  if (!o.layers.empty()) {
    std::string from = o.layers, to = o.layers;
    if (o.layers.find(':') != std::string::npos) std::tie(from, to) = parse_name_range("--layers", o.layers);
    m.first = find_layer_arg(g, "--layers", from);
    m.last = find_layer_arg(g, "--layers", to);
    if (m.first > m.last) throw InputError(path, "--layers", "FROM comes after TO (got '" + o.layers + "')");
  }
  m.on_layer = [](const timing::LayerProfile& l) {
    spdlog::info("profile: {} ({}): {} point(s), whole {:.3f} ms", l.name, l.op, l.points.size(),
                 l.points.back().median_s * 1e3);
  };
  // Refuse a bad -o before measuring for minutes (write_output checks again when writing).
  if (!o.output.empty() && o.output != "-" && same_file(o.output, path))
    throw InputError("", "-o", "'" + o.output + "' is an input file; refusing to overwrite it");

  timing::Profile p = profiler::measure_profile(g, a, m);
  const std::string json = timing::profile_to_json_text(p);
  const bool to_file = !o.output.empty() && o.output != "-";
  if (to_file) write_output(o.output, json, model::model_files(path));
  OutputOptions stdout_format{o.format, to_file ? "" : o.output};
  // With -o the profile is in the file: the terminal gets the table unless JSON is asked for.
  const bool json_out = o.format == "json" || (o.format == "auto" && !to_file && resolve_format(stdout_format) == Format::json);
  write_output("-", json_out ? json : render_table(p, g, a), model::model_files(path));
  return 0;
}

}  // namespace

Command add_profile_command(CLI::App& root) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* cmd = root.add_subcommand("profile", "Measure every layer's compute time with the reference executor");
  cmd->footer(
      "Each layer is run (single-threaded Eigen executor, random weights) for output rows [0, h-1] at\n"
      "every height of --heights: whole layers in sequence, each on the previous layers' outputs, as a\n"
      "runtime computes the model (--isolated: alone); partial heights alone, on an input crop of\n"
      "exactly the region they read. The median, 25th and 75th percentile of the timed runs are\n"
      "recorded. The profile (-o, or\n"
      "--format json) is what a scenario device's \"profiles\" key reads (docs/formats.md).\n"
      "A point whose warm-up shows --runs runs would take longer than --max-seconds-per-point gets\n"
      "fewer runs (at least 3); its \"runs\" key says how many.\n"
      "Examples:\n"
      "  edgepart profile vgg16 -o profiles/host-vgg16.json\n"
      "  edgepart profile alexnet --layers features.0:features.2 --runs 5 --heights all,1\n"
      "  edgepart profile resnet18 --format json > resnet18-profile.json");
  cmd->add_option("model", o->model, "Model file (.json or .onnx) or zoo name")->required();
  cmd->add_option("--runs", o->runs, "Timed runs per layer and height")->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Untimed runs before them")->check(CLI::Range(int64_t{0}, int64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--heights", o->heights, "Output heights: all, 1/K (ceil(H/K) rows) or a row count, comma-separated")
      ->capture_default_str();
  cmd->add_option("--layers", o->layers, "Only the layers FROM:TO (names or indices), or one layer");
  cmd->add_option("--max-seconds-per-point", o->max_seconds_per_point,
                  "Fewer runs (>= 3) for a height whose runs would take longer; 0: no limit")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  add_seed_option(cmd, o->seed, "Seed of the random weights and inputs");
  cmd->add_option("--clock", o->clock,
                  "wall: elapsed time (what a dedicated device sees); cpu: the thread's CPU time (leaves out other "
                  "processes' and, on a VM with steal accounting, other guests' time on a shared machine)")
      ->check(CLI::IsMember({"wall", "cpu"}))
      ->capture_default_str();
  cmd->add_flag("--isolated", o->isolated,
                "Time whole layers alone too, on the same input each run (default: in sequence, each layer on "
                "the previous layers' outputs, as a runtime computes the model)");
  cmd->add_option("-o,--output", o->output, "Write the profile (JSON) to FILE");
  cmd->add_option("--format", o->format, "stdout: table, or json (the profile); auto = table on a terminal or with -o")
      ->check(CLI::IsMember({"auto", "table", "json"}))
      ->capture_default_str();
  return {cmd, [o] { return run_profile(*o); }};
}

}  // namespace edgepart::cli
