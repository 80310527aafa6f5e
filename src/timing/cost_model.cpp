// The one cost model for compute time (include/edgepart/timing/cost_model.hpp, docs/design.md §3).
#include "edgepart/timing/cost_model.hpp"

#include <string>

#include "edgepart/rf/block.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::timing {

namespace {

// Efficiency of op kind `op` on a device for work tied to no layer (CCIED's lookup): its
// per-op table entry, 1 when not given (docs/design.md §3).
double efficiency(const scenario::Device& d, const std::string& op) {
  auto e = d.efficiency.find(op);
  return e == d.efficiency.end() ? 1.0 : e->second;
}

rf::Interval interval(const plan::Span& s) { return s.empty() ? rf::Interval::empty_interval() : rf::Interval{s.begin, s.end}; }

}  // namespace

CostModel::CostModel(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, const scenario::Cluster& cluster)
    : graph_(graph), analysis_(analysis), devices_(cluster.devices) {
  EDGEPART_ASSERT(analysis.layers.size() == graph.size(), "cost model: the analysis is not the graph's");
  const size_t layers = graph.size();
  // rf::region_cost is (cost of one output pixel) x (region area), exactly (rf/block.hpp): keep
  // its one-pixel figure per layer so that a region costs a multiplication, not its divisions.
  for (size_t l = 0; l < layers; ++l)
    flops_per_pixel_.push_back(rf::region_cost(analysis, static_cast<model::LayerIndex>(l), rf::Region{{0, 0}, {0, 0}}).flops);
  flops_per_s_.resize(devices_.size() * layers);
  whole_layer_s_.resize(devices_.size() * layers);
  measured_.assign(devices_.size() * layers, 0);
  for (int d = 0; d < devices(); ++d) {
    analytical_.push_back(make_analytical_device(device(d)));
    profiles_.push_back(load_device_profiles(device(d), graph));
    for (size_t l = 0; l < layers; ++l) {
      const auto layer = static_cast<model::LayerIndex>(l);
      const OpClass cls = op_class(graph.layers[l], analysis.layers[l]);
      flops_per_s_[layer_slot(d, layer)] = device(d).speed_gflops * 1e9 * layer_efficiency(analytical_.back(), graph.layers[l].kind, cls);
      for (const Profile& p : profiles_.back())
        if (p.find(layer) && !p.find(layer)->points.empty()) measured_[layer_slot(d, layer)] = 1;
    }
  }
  flops_only_.assign(devices_.size() * layers, 0);
  for (int d = 0; d < devices(); ++d) {
    const AnalyticalDevice& ad = analytical_[static_cast<size_t>(d)];
    for (size_t l = 0; l < layers; ++l) {
      const size_t slot = layer_slot(d, static_cast<model::LayerIndex>(l));
      flops_only_[slot] = !measured_[slot] && ad.memory_gbps <= 0 && ad.layer_overhead_s <= 0;
    }
  }
  for (int d = 0; d < devices(); ++d)
    for (size_t l = 0; l < layers; ++l) {
      const auto layer = static_cast<model::LayerIndex>(l);
      whole_layer_s_[layer_slot(d, layer)] = layer_time_s(d, layer, rf::Region::whole(analysis.shapes[l]));
    }
}

double CostModel::analytical_layer_time_s(int device, model::LayerIndex layer, const rf::Region& out) const {
  const size_t slot = layer_slot(device, layer);
  const AnalyticalDevice& ad = analytical_[static_cast<size_t>(device)];
  if (ad.memory_gbps > 0 || ad.layer_overhead_s > 0) return timing::analytical_layer_time_s(ad, layer_work(graph_, analysis_, layer, out));
  const int64_t area = out.clip(analysis_.shapes[static_cast<size_t>(layer)]).area();
  // <= the layer's FLOPs (cost::analyze checked those against overflow), as area <= the map's.
  const int64_t flops = flops_per_pixel_[static_cast<size_t>(layer)] * area;
  if (flops == 0) return 0;
  return static_cast<double>(flops) / flops_per_s_[slot];
}

bool CostModel::measured(int device, model::LayerIndex layer) const { return measured_[layer_slot(device, layer)] != 0; }

double CostModel::modelled_layer_time_s(int device, model::LayerIndex layer, const rf::Region& out) const {
  if (!measured(device, layer)) return analytical_layer_time_s(device, layer, out);
  const model::Shape& shape = analysis_.shapes[static_cast<size_t>(layer)];
  const rf::Region r = shape.h == 1 && shape.w == 1 ? rf::Region::whole(shape) : out.clip(shape);
  if (r.empty()) return 0;
  for (const Profile& p : profiles_[static_cast<size_t>(device)])
    if (auto t = p.layer_time_s(layer, r.rows.length(), r.cols.length())) return *t;
  EDGEPART_ASSERT(false, "cost model: layer " + std::to_string(layer) + " marked measured without points");
  return 0;
}

double CostModel::whole_layer_time_s(int device, model::LayerIndex layer) const {
  return whole_layer_s_[layer_slot(device, layer)];
}

double CostModel::layer_share_time_s(int device, model::LayerIndex layer, double fraction) const {
  EDGEPART_ASSERT(fraction >= 0 && fraction <= 1, "cost model: share " + std::to_string(fraction) + " outside [0, 1]");
  return fraction * whole_layer_time_s(device, layer);
}

double CostModel::task_work_s(int device, const plan::Variant& variant, const plan::Task& task) const {
  return work_s(device, variant, task, false);
}

double CostModel::task_analytical_work_s(int device, const plan::Variant& variant, const plan::Task& task) const {
  return work_s(device, variant, task, true);
}

double CostModel::work_s(int device, const plan::Variant& variant, const plan::Task& task, bool analytical_only) const {
  EDGEPART_ASSERT(task.kind != plan::TaskKind::transfer, "cost model: '" + task.name + "' is a transfer");
  const plan::DeviceRegion* region = plan::task_region(variant, task);
  if (!region) return flops_work_s(device, task.flops);
  const plan::Stage& stage = variant.stages.at(static_cast<size_t>(task.stage));
  const plan::Span layers = plan::task_layers(variant, task);
  const bool by_channels = stage.split == "channels";
  double work = 0;
  for (model::LayerIndex l = static_cast<model::LayerIndex>(layers.begin); l <= layers.end; ++l) {
    const auto k = static_cast<size_t>(l - stage.first_layer);
    EDGEPART_ASSERT(k < region->rows.size() && k < region->cols.size(),
                    "cost model: region of task '" + task.name + "' has no rows/cols for layer " + std::to_string(l));
    if (analytical_only && measured(device, l)) continue;
    if (task.reuse_share > 0) {
      work += layer_share_time_s(device, l, task.reuse_share);
    } else if (by_channels) {
      const int64_t channels = analysis_.shapes.at(static_cast<size_t>(l)).c;
      work += layer_share_time_s(device, l, static_cast<double>(region->rows[k].length()) / static_cast<double>(channels));
    } else {
      work += layer_time_s(device, l, rf::Region{interval(region->rows[k]), interval(region->cols[k])});
    }
  }
  return work;
}

double CostModel::task_time_s(int device, const plan::Variant& variant, const plan::Task& task) const {
  return task_overhead_s(device) + task_work_s(device, variant, task);
}

double CostModel::flops_work_s(int d, const plan::FlopsByOp& work) const {
  const scenario::Device& dev = device(d);
  const double rate = dev.speed_gflops * 1e9;
  double t = 0;
  // Map order (op names sorted) fixes the order of the floating-point sum.
  for (const auto& [op, flops] : work) {
    if (flops == 0) continue;
    t += flops / (rate * efficiency(dev, op));
  }
  return t;
}

double CostModel::flops_time_s(int device, const plan::FlopsByOp& work) const {
  return task_overhead_s(device) + flops_work_s(device, work);
}

}  // namespace edgepart::timing
