// `edgepart verify MODEL --strategy rows|tiles|fdsp --devices N`: runs the Eigen reference executor
// whole and with one fused block segmented among devices, and reports how far the outputs are
// apart (docs/design.md §8 keys: max_abs_error, max_abs_output, rel_l2_error, top1_agrees,
// lossless_expected). rows and tiles recompute halos and must agree to float rounding; fdsp (ADCNN)
// pads every tile with zeros, so its error is real. With --plan, the blocks are a plan's
// distributed stages (every strategy's plan can be checked this way).
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/pipeline/layer_args.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/exec/plan_accuracy.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

using pipeline::find_layer_arg;
using pipeline::parse_name_range;

namespace {

std::vector<std::string> with_plan(std::vector<std::string> files, const std::string& plan) {
  files.push_back(plan);
  return files;
}

struct VerifyOptions {
  std::string model, strategy, block, grid, convention = "balanced", plan;
  int64_t devices = 0, variant = 0;
  uint64_t seed = 1;
  std::vector<double> speeds;
  OutputOptions out;
};

using exec::kLosslessTolerance;

Json region_json(const rf::Region& r) {
  return Json{{"rows", Json::array({r.rows.begin, r.rows.end})}, {"cols", Json::array({r.cols.begin, r.cols.end})}};
}

std::pair<int64_t, int64_t> parse_grid(const std::string& text) {
  auto x = text.find('x');
  int64_t r = 0, c = 0;
  if (x == std::string::npos || std::sscanf(text.substr(0, x).c_str(), "%ld", &r) != 1 ||
      std::sscanf(text.substr(x + 1).c_str(), "%ld", &c) != 1 || r < 1 || c < 1 ||
      std::to_string(r) + "x" + std::to_string(c) != text)
    throw InputError("", "--grid", "expected RxC with positive integers, e.g. 2x3 (got '" + text + "')");
  return {r, c};
}

int run_verify_plan(const VerifyOptions& o, const std::string& path, const model::ModelGraph& g,
                    const cost::ModelAnalysis& a) {
  plan::Plan p = plan::load_plan(o.plan);
  plan::check_plan_model(p, o.plan, g, path);
  if (o.variant < 0 || static_cast<size_t>(o.variant) >= p.variants.size())
    throw InputError("", "--variant", "the plan has " + std::to_string(p.variants.size()) + " variant(s) (got " +
                                          std::to_string(o.variant) + ")");
  exec::PlanBlocks pb = exec::plan_blocks(p, static_cast<size_t>(o.variant), g, a, o.plan);
  exec::Executor ex(g, a, o.seed);
  exec::Tensor input = ex.random_input();
  exec::Tensor whole = ex.run(input);
  exec::Tensor segmented = ex.run_segmented(input, pb.blocks);
  exec::Comparison cmp = exec::compare(whole, segmented);
  const bool within = exec::within_lossless_tolerance(cmp);
  Json blocks = Json::array();
  for (const auto& b : pb.blocks)
    blocks.push_back(Json{{"from", g.layer(b.first).name}, {"to", g.layer(b.last).name}, {"first", b.first},
                          {"last", b.last}, {"parts", b.parts.size()}});
  Json doc{{"model", g.name},
           {"plan", Json{{"file", o.plan}, {"strategy", p.strategy}, {"variant", o.variant}}},
           {"strategy", p.strategy},
           {"devices", p.devices.size()},
           {"seed", o.seed},
           {"blocks", blocks},
           {"regions_checked", pb.regions_checked},
           {"region_mismatches", pb.region_mismatches}};
  doc.update(comparison_json(cmp, p.lossless));
  if (resolve_format(o.out) == Format::json) {
    emit(o.out, doc.dump(2) + "\n", with_plan(model::model_files(path), o.plan));
  } else {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s, plan %s (%s, variant %ld): %zu distributed block(s), %ld of %ld layer regions differ from rf\n"
                  "max abs error %.3g (max |output| %.3g), relative L2 error %.3g, top-1 %s; %s\n",
                  g.name.c_str(), o.plan.c_str(), p.strategy.c_str(), static_cast<long>(o.variant), pb.blocks.size(),
                  static_cast<long>(pb.region_mismatches), static_cast<long>(pb.regions_checked), cmp.max_abs_error,
                  cmp.max_abs_output, cmp.rel_l2_error, cmp.top1_agrees ? "agrees" : "differs",
                  p.lossless ? (within ? "lossless as expected" : "NOT lossless") : "approximate (the plan is not lossless)");
    emit(o.out, line, with_plan(model::model_files(path), o.plan));
  }
  if (p.lossless && !within) {
    spdlog::error("the plan's segmented output differs from the whole run beyond float rounding");
    return 1;
  }
  return 0;
}

int run_verify(const VerifyOptions& o) {
  std::string path = resolve_model_path(o.model);
  model::ModelGraph g = model::load_model(path);
  cost::ModelAnalysis a = cost::analyze(g);

  if (!o.plan.empty()) return run_verify_plan(o, path, g, a);
  if (o.strategy.empty() || o.devices < 1)
    throw InputError("", "--strategy", "verify needs --strategy and --devices, or --plan FILE");

  model::LayerIndex first = 0, last = 0;
  if (o.block.empty()) {
    auto end = rf::spatial_prefix_end(g, a);
    if (!end) throw InputError(path, "", "the model has no spatial prefix to segment (give --block FROM:TO)");
    last = *end;
  } else {
    auto [f, t] = parse_name_range("--block", o.block);
    first = find_layer_arg(g, "--block", f);
    last = find_layer_arg(g, "--block", t);
    if (first > last) throw InputError(path, "--block", "FROM comes after TO (got '" + o.block + "')");
  }
  const model::Shape& out_shape = a.shapes[static_cast<size_t>(last)];

  exec::BlockAssignment block{first, last, {}, o.strategy == "fdsp" ? rf::Halo::none : rf::Halo::exact};
  Json grid = nullptr;
  if (o.strategy == "rows") {
    std::vector<double> speeds = o.speeds.empty() ? std::vector<double>(static_cast<size_t>(o.devices), 1.0) : o.speeds;
    if (static_cast<int64_t>(speeds.size()) != o.devices)
      throw InputError("", "--speeds", "needs one speed per device (" + std::to_string(o.devices) + ", got " +
                                           std::to_string(speeds.size()) + ")");
    for (double v : speeds)
      if (!(v > 0) || !std::isfinite(v))
        throw InputError("", "--speeds", "speeds must be positive numbers (got " + format_number(v) + ")");
    for (const auto& share : rf::split_rows(out_shape.h, speeds))
      block.parts.push_back(exec::PartAssignment{share.device, rf::Region{share.rows, rf::Interval::whole(out_shape.w)}});
  } else {
    auto [rows, cols] = o.grid.empty() ? rf::square_grid(o.devices) : parse_grid(o.grid);
    auto convention = o.convention == "deepthings" ? rf::TileConvention::deepthings : rf::TileConvention::balanced;
    auto tiles = rf::grid_tiles(out_shape.h, out_shape.w, rows, cols, convention);
    for (size_t k = 0; k < tiles.size(); ++k)
      block.parts.push_back(exec::PartAssignment{static_cast<int>(static_cast<int64_t>(k) % o.devices), tiles[k].region});
    grid = Json::array({rows, cols});
  }

  exec::Executor ex(g, a, o.seed);
  exec::Tensor input = ex.random_input();
  spdlog::info("verify: whole run of {}", g.name);
  exec::Tensor whole = ex.run(input);
  spdlog::info("verify: segmented run, block {}..{}, {} parts", first, last, block.parts.size());
  exec::Tensor segmented = ex.run_segmented(input, {block});
  exec::Comparison cmp = exec::compare(whole, segmented);
  const bool lossless_expected = block.halo == rf::Halo::exact;
  const bool within = exec::within_lossless_tolerance(cmp);

  int64_t block_macs = 0;
  for (model::LayerIndex l = first; l <= last; ++l) block_macs += a.layers[static_cast<size_t>(l)].macs;
  Json parts = Json::array();
  int64_t part_macs = 0;
  using A = report::TextTable::Align;
  report::TextTable t({"part", "device", "output rows", "output cols", "input rows", "input cols", "MACs"},
                      {A::right, A::right, A::right, A::right, A::right, A::right, A::right});
  for (size_t k = 0; k < block.parts.size(); ++k) {
    const auto& p = block.parts[k];
    rf::BlockRegions br = rf::propagate_block(g, a, first, last, p.region, block.halo);
    rf::Region in = br.block_inputs.empty() ? rf::Region{} : br.block_inputs.front().region;
    part_macs += br.total_macs;
    Json j = region_json(p.region);
    j["device"] = p.device;
    j["input"] = region_json(in);
    j["macs"] = br.total_macs;
    parts.push_back(std::move(j));
    t.add_row({std::to_string(k), std::to_string(p.device), p.region.rows.to_string(), p.region.cols.to_string(),
               in.rows.to_string(), in.cols.to_string(), report::si(static_cast<double>(br.total_macs))});
  }

  Json doc{{"model", g.name},
           {"strategy", o.strategy},
           {"devices", o.devices},
           {"seed", o.seed},
           {"block", Json{{"from", g.layer(first).name}, {"to", g.layer(last).name}, {"first", first}, {"last", last}}},
           {"grid", grid},
           {"parts", parts},
           {"block_macs", block_macs},
           {"segmented_macs", part_macs},
           {"max_abs_error", cmp.max_abs_error},
           {"max_abs_output", cmp.max_abs_output},
           {"rel_l2_error", cmp.rel_l2_error},
           {"top1_agrees", cmp.top1_agrees},
           {"lossless_expected", lossless_expected},
           {"within_tolerance", within},
           {"tolerance", kLosslessTolerance}};
  if (resolve_format(o.out) == Format::json) {
    emit(o.out, doc.dump(2) + "\n", model::model_files(path));
  } else {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s, %s on %ld devices, block %s..%s (layers %d..%d), seed %lu\n"
                  "max abs error %.3g (max |output| %.3g), relative L2 error %.3g, top-1 %s; %s\n",
                  g.name.c_str(), o.strategy.c_str(), static_cast<long>(o.devices), g.layer(first).name.c_str(),
                  g.layer(last).name.c_str(), first, last, static_cast<unsigned long>(o.seed), cmp.max_abs_error,
                  cmp.max_abs_output, cmp.rel_l2_error, cmp.top1_agrees ? "agrees" : "differs",
                  lossless_expected ? (within ? "lossless as expected" : "NOT lossless") : "approximate (FDSP)");
    std::snprintf(line + std::strlen(line), sizeof line - std::strlen(line), "block MACs %s whole, %s segmented (x%.3f)\n",
                  report::si(static_cast<double>(block_macs)).c_str(), report::si(static_cast<double>(part_macs)).c_str(),
                  block_macs > 0 ? static_cast<double>(part_macs) / static_cast<double>(block_macs) : 0.0);
    emit(o.out, t.render() + line, model::model_files(path));
  }
  if (lossless_expected && !within) {
    // The region arithmetic promises equality; a difference is our bug.
    spdlog::error("segmented output differs from the whole run beyond float rounding");
    return 1;
  }
  return 0;
}

}  // namespace

Command add_verify_command(CLI::App& root) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = root.add_subcommand("verify", "Run the reference executor whole and segmented, and compare the outputs");
  cmd->footer(
      "rows: the block's output rows split among devices in proportion to speed; tiles: a grid of\n"
      "tiles (the most square grid with one tile per device unless --grid); both exact (halo\n"
      "recomputed). fdsp: the same grid, each tile zero-padded at its borders (ADCNN; approximate).\n"
      "The default block is the longest spatial prefix (up to global pooling / flatten).\n"
      "Examples:\n"
      "  edgepart verify vgg16 --strategy rows --devices 4\n"
      "  edgepart verify yolov2_tiny --strategy fdsp --devices 4 --format json\n"
      "  edgepart verify resnet18 --strategy tiles --devices 6 --grid 2x3 --block conv1:layer2.1.relu_1\n"
      "  edgepart plan scenarios/default.json --strategy dpfp --format json -o p.json && edgepart verify vgg16 --plan p.json");
  cmd->add_option("model", o->model, "Model file (.json or .onnx) or zoo name")->required();
  cmd->add_option("--strategy", o->strategy, "How the block is split (required without --plan)")
      ->check(CLI::IsMember({"rows", "tiles", "fdsp"}));
  cmd->add_option("--devices", o->devices, "Number of devices (required without --plan)")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  cmd->add_option("--plan", o->plan, "Verify a plan (edgepart plan --format json): its distributed stages are the blocks");
  cmd->add_option("--variant", o->variant, "With --plan: the variant to verify")->capture_default_str();
  cmd->add_option("--block", o->block, "The fused block FROM:TO (layer names)");
  add_seed_option(cmd, o->seed, "Seed of the random weights and input");
  cmd->add_option("--grid", o->grid, "tiles/fdsp: the grid RxC (default: most square with --devices tiles)");
  cmd->add_option("--grid-convention", o->convention, "tiles/fdsp: balanced, or deepthings (ceil(H/N), remainder last)")
      ->check(CLI::IsMember({"balanced", "deepthings"}))
      ->capture_default_str();
  cmd->add_option("--speeds", o->speeds, "rows: relative device speeds (default: equal)")->delimiter(',');
  add_output_options(cmd, o->out, {"table", "json"});
  return {cmd, [o] { return run_verify(*o); }};
}

}  // namespace edgepart::cli
