#include "edgepart/exec/plan_accuracy.hpp"

#include <spdlog/spdlog.h>

#include "edgepart/rf/block.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/limits.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::exec {

namespace {

rf::Interval interval(const plan::Span& s) { return rf::Interval{s.begin, s.end}; }

}  // namespace

PlanBlocks plan_blocks(const plan::Plan& p, size_t variant, const model::ModelGraph& g, const cost::ModelAnalysis& a,
                       const std::string& file) {
  PlanBlocks out;
  const auto& stages = p.variants.at(variant).stages;
  rf::Halo halo = p.lossless ? rf::Halo::exact : rf::Halo::none;
  for (size_t si = 0; si < stages.size(); ++si) {
    const plan::Stage& st = stages[si];
    if (st.split != "rows" && st.split != "tiles") continue;  // whole on one device, or FC channels
    std::string where = "/variants/" + std::to_string(variant) + "/stages/" + std::to_string(si);
    if (st.first_layer < 0 || st.first_layer > st.last_layer || static_cast<size_t>(st.last_layer) >= g.size())
      throw InputError(file, where, "layers " + std::to_string(st.first_layer) + ".." + std::to_string(st.last_layer) +
                                        " are not a range of the model's " + std::to_string(g.size()) + " layers");
    BlockAssignment b{st.first_layer, st.last_layer, {}, halo};
    auto n = static_cast<size_t>(st.last_layer - st.first_layer + 1);
    for (size_t ri = 0; ri < st.regions.size(); ++ri) {
      const plan::DeviceRegion& r = st.regions[ri];
      if (r.rows.size() != n || r.cols.size() != n)
        throw InputError(file, where + "/regions/" + std::to_string(ri),
                         "needs one row and one column range per layer of the stage (" + std::to_string(n) + ")");
      rf::Region target{interval(r.rows.back()), interval(r.cols.back())};
      b.parts.push_back(PartAssignment{r.device >= 0 ? r.device : r.tile, target});
      rf::BlockRegions br = rf::propagate_block(g, a, st.first_layer, st.last_layer, target, halo);
      for (size_t k = 0; k < n; ++k) {
        const rf::Region& want = br.outputs[k];
        rf::Region got{interval(r.rows[k]), interval(r.cols[k])};
        ++out.regions_checked;
        if (!(want.empty() && got.empty()) && !(want == got)) {
          ++out.region_mismatches;
          spdlog::warn("plan {} stage {} part {}: {} computes {} (rf: {})", file, si, ri,
                       g.layer(st.first_layer + static_cast<model::LayerIndex>(k)).name, got.to_string(), want.to_string());
        }
      }
    }
    out.blocks.push_back(std::move(b));
  }
  return out;
}

Comparison plan_error(const plan::Plan& p, size_t variant, const model::ModelGraph& g, const cost::ModelAnalysis& a,
                      uint64_t seed) {
  const PlanBlocks pb = plan_blocks(p, variant, g, a, p.strategy + " plan");
  Executor ex(g, a, seed);
  const Tensor input = ex.random_input();
  return compare(ex.run(input), ex.run_segmented(input, pb.blocks));
}

std::optional<AccuracyCost> accuracy_cost(const plan::Plan& p, const model::ModelGraph& g, const cost::ModelAnalysis& a) {
  if (p.lossless) return std::nullopt;
  AccuracyCost cost;
  // The whole run and the segmented one, per variant.
  const double gflop = 2.0 * static_cast<double>(p.variants.size()) * static_cast<double>(a.total_flops) * 1e-9;
  const int64_t limit = limits::max_accuracy_gflop();
  if (gflop > static_cast<double>(limit)) {
    cost.not_measured = "executing it would take " + format_number(gflop) + " GFLOP, over the limit of " +
                        with_thousands(limit) + limits::raise_hint("EDGEPART_MAX_ACCURACY_GFLOP") +
                        "; `edgepart verify --plan` measures it";
    return cost;
  }
  try {
    // An approximation the plan's regions do not carry (CCIED's pruning and feature cache) is
    // nothing the executor can run: the segmented run would equal the whole one.
    bool segmented = false;
    for (size_t v = 0; v < p.variants.size(); ++v)
      segmented = segmented || !plan_blocks(p, v, g, a, p.strategy + " plan").blocks.empty();
    if (!segmented) {
      cost.not_measured = "its approximation is not a segmentation of the model (no distributed stage for the executor to run)";
      return cost;
    }
    for (size_t v = 0; v < p.variants.size(); ++v) {
      const Comparison c = plan_error(p, v, g, a, kAccuracySeed);
      if (v == 0 || c.rel_l2_error > cost.error.rel_l2_error) cost.error = c;
    }
  } catch (const InputError& e) {  // e.g. an op the executor does not implement
    cost.not_measured = std::string("the executor cannot run it: ") + e.what();
    return cost;
  }
  cost.measured = true;
  return cost;
}

}  // namespace edgepart::exec
