// The analytical compute-time model (docs/timing.md "The analytical model"): a roofline per op
// class (Williams, Waterman, Patterson, CACM 2009) plus a per-layer overhead.
#include "edgepart/timing/analytical.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "edgepart/rf/backward.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::timing {

AnalyticalDevice make_analytical_device(const scenario::Device& device, double speed_factor) {
  AnalyticalDevice d;
  d.peak_gflops = device.speed_gflops * speed_factor;
  for (const auto& [key, eff] : device.efficiency) {
    // The scenario parser accepted only op names and class names; "linear" is both and means the
    // same layers, so it is kept as an op key (which wins for a fixed-class op anyway).
    if (auto op = model::find_op(key)) d.op_efficiency[*op] = eff;
    else if (auto cls = cost::find_op_class(key)) d.class_efficiency[*cls] = eff;
    else EDGEPART_ASSERT(false, "efficiency key '" + key + "' is neither an op nor an op class");
  }
  d.memory_gbps = device.memory_gbps;
  d.layer_overhead_s = device.layer_overhead_s;
  d.task_overhead_s = device.task_overhead_s;
  return d;
}

double layer_efficiency(const AnalyticalDevice& d, model::OpKind op, OpClass cls) {
  auto by_op = d.op_efficiency.find(op);
  auto by_class = d.class_efficiency.find(cls);
  const bool has_op = by_op != d.op_efficiency.end(), has_class = by_class != d.class_efficiency.end();
  if (has_op && has_class) return cost::op_splits_into_classes(op) ? by_class->second : by_op->second;
  if (has_op) return by_op->second;
  if (has_class) return by_class->second;
  return 1.0;
}

LayerWork layer_work(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                     const rf::Region& region) {
  const model::Layer& l = graph.layer(layer);
  const auto index = static_cast<size_t>(layer);
  const rf::Region out = region.clip(analysis.shapes.at(index));
  const auto dtype = static_cast<double>(graph.dtype_bytes);
  auto region_bytes = [&](model::LayerIndex producer, const rf::Region& r) {
    return static_cast<double>(analysis.shape_of(producer).c) * static_cast<double>(r.area()) * dtype;
  };
  LayerWork w;
  w.op = l.kind;
  w.cls = op_class(l, analysis.layers.at(index));
  w.empty = out.empty();
  if (w.empty) return w;
  w.flops = static_cast<double>(rf::region_cost(analysis, layer, out).flops);
  const std::vector<rf::Region> inputs = rf::input_regions(graph, analysis, layer, out);
  for (size_t k = 0; k < l.inputs.size(); ++k) w.bytes += region_bytes(l.inputs[k], inputs.at(k));
  w.bytes += static_cast<double>(analysis.layers.at(index).params) * dtype;  // every weight is read once
  w.bytes += region_bytes(layer, out);
  return w;
}

double roofline_time_s(const AnalyticalDevice& d, double efficiency, double flops, double bytes) {
  // Written as speed * 1e9 * efficiency: the order of design.md §3's formula, so that a default
  // device gives the same doubles as that formula written out.
  double t = flops > 0 ? flops / (d.peak_gflops * 1e9 * efficiency) : 0.0;
  // A layer that does no arithmetic (data movement: concat, flatten, pad) is bound by memory
  // alone, and its efficiency scales the bandwidth: a gather of strided rows copies slower than a
  // stream (docs/timing.md "The analytical model").
  if (d.memory_gbps > 0) t = std::max(t, bytes / (d.memory_gbps * 1e9 * (flops > 0 ? 1.0 : efficiency)));
  return d.layer_overhead_s + t;
}

double analytical_layer_time_s(const AnalyticalDevice& d, OpClass cls, double flops, double bytes) {
  auto e = d.class_efficiency.find(cls);
  return roofline_time_s(d, e == d.class_efficiency.end() ? 1.0 : e->second, flops, bytes);
}

double analytical_layer_time_s(const AnalyticalDevice& d, const LayerWork& w) {
  if (w.empty) return 0.0;
  return roofline_time_s(d, layer_efficiency(d, w.op, w.cls), w.flops, w.bytes);
}

}  // namespace edgepart::timing
