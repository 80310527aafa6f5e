#include "strategy/plan_builder.hpp"

#include <algorithm>
#include <cstdio>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::strategy {

FlopsByOp region_flops(const PlanRequest& r, LayerIndex l, const rf::Region& region) {
  FlopsByOp f;
  rf::RegionCost c = rf::region_cost(r.analysis, l, region);
  if (c.flops > 0) f[std::string(model::op_name(r.graph.layer(l).kind))] = static_cast<double>(c.flops);
  return f;
}

FlopsByOp range_flops(const PlanRequest& r, LayerIndex first, LayerIndex last) {
  FlopsByOp f;
  for (LayerIndex l = first; l <= last; ++l) {
    const int64_t flops = r.analysis.layers.at(static_cast<size_t>(l)).flops;
    if (flops > 0) f[std::string(model::op_name(r.graph.layer(l).kind))] += static_cast<double>(flops);
  }
  return f;
}

void add_flops(FlopsByOp& into, const FlopsByOp& more) {
  for (const auto& [op, v] : more) into[op] += v;
}

double weight_bytes(const PlanRequest& r, LayerIndex first, LayerIndex last) {
  double b = 0;
  for (LayerIndex l = first; l <= last; ++l)
    b += static_cast<double>(r.analysis.layers.at(static_cast<size_t>(l)).params) * static_cast<double>(r.graph.dtype_bytes);
  return b;
}

rf::Region whole(const PlanRequest& r, LayerIndex producer) { return rf::Region::whole(r.analysis.shape_of(producer)); }

double tensor_bytes(const PlanRequest& r, LayerIndex producer, const rf::Region& region) {
  const model::Shape& s = r.analysis.shape_of(producer);
  return static_cast<double>(s.c) * static_cast<double>(region.clip(s).area()) * static_cast<double>(r.graph.dtype_bytes);
}

double tensor_bytes(const PlanRequest& r, LayerIndex producer) { return tensor_bytes(r, producer, whole(r, producer)); }

WholeStage whole_stage(const PlanRequest& r, int device, LayerIndex input_producer, LayerIndex first, LayerIndex last) {
  WholeStage out;
  out.stage.first_layer = first;
  out.stage.last_layer = last;
  plan::DeviceRegion dr;
  dr.device = device;
  for (LayerIndex l = first; l <= last; ++l) {
    rf::Region w = whole(r, l);
    dr.rows.push_back(span(w.rows));
    dr.cols.push_back(span(w.cols));
    double in_bytes = 0;
    for (LayerIndex p : r.graph.layer(l).inputs) in_bytes += tensor_bytes(r, p);
    out.activation_bytes = std::max(out.activation_bytes, in_bytes + tensor_bytes(r, l));
  }
  rf::Region in = whole(r, input_producer);
  dr.input_rows = span(in.rows);
  dr.input_cols = span(in.cols);
  out.stage.regions.push_back(dr);
  return out;
}

plan::TensorPiece piece(const PlanRequest& r, LayerIndex producer, const rf::Region& region) {
  const model::Shape& s = r.analysis.shape_of(producer);
  const rf::Region clipped = region.clip(s);
  return plan::TensorPiece{producer, plan::Span{0, s.c - 1}, span(clipped.rows), span(clipped.cols)};
}

plan::TensorPiece piece(const PlanRequest& r, LayerIndex producer) { return piece(r, producer, whole(r, producer)); }

plan::TensorPiece channel_piece(const PlanRequest& r, LayerIndex producer, const rf::Interval& channels) {
  const model::Shape& s = r.analysis.shape_of(producer);
  return plan::TensorPiece{producer, span(channels), plan::Span{0, s.h - 1}, plan::Span{0, s.w - 1}};
}

plan::Span span(const rf::Interval& i) { return i.empty() ? plan::Span{0, -1} : plan::Span{i.begin, i.end}; }

std::vector<LayerIndex> cut_points(const model::ModelGraph& graph) {
  std::vector<LayerIndex> cuts;
  // One backward pass: j is a cut when no layer after j reads anything made before j. Track the
  // smallest producer read by the layers after j (the model input counts as -1).
  const auto n = static_cast<LayerIndex>(graph.size());
  LayerIndex min_read_after = n;  // smallest producer read by layers > j
  std::vector<LayerIndex> reversed;
  for (LayerIndex j = n - 1; j >= 0; --j) {
    if (min_read_after >= j) reversed.push_back(j);
    for (LayerIndex p : graph.layer(j).inputs) min_read_after = std::min(min_read_after, p);
  }
  cuts.assign(reversed.rbegin(), reversed.rend());
  return cuts;
}

LayerIndex spatial_end(const PlanRequest& r) {
  auto e = rf::spatial_prefix_end(r.graph, r.analysis);
  return e ? *e : -1;
}

std::vector<Unit> layer_units(const PlanRequest& r) {
  std::vector<Unit> units;
  const LayerIndex end = spatial_end(r);
  LayerIndex prev = -1;
  for (LayerIndex c : cut_points(r.graph)) {
    if (c > end) break;
    bool starts = c > prev + 1;  // a multi-layer DAG block
    for (LayerIndex l = prev + 1; l <= c; ++l) starts = starts || r.graph.layer(l).kind == model::OpKind::conv2d;
    if (starts || units.empty()) units.push_back(Unit{prev + 1, c, Unit::rows});
    else units.back().last = c;
    prev = c;
  }
  for (LayerIndex l = prev + 1; l <= r.graph.output(); ++l) {
    const model::Layer& layer = r.graph.layer(l);
    const bool elementwise = model::op_info(layer.kind).elementwise && layer.inputs.size() == 1;
    if (layer.kind == model::OpKind::linear) units.push_back(Unit{l, l, Unit::channels});
    else if (elementwise && !units.empty() && units.back().kind == Unit::channels && units.back().last == l - 1)
      units.back().last = l;
    else if (!units.empty() && units.back().kind == Unit::none && units.back().last == l - 1)
      units.back().last = l;
    else units.push_back(Unit{l, l, Unit::none});
  }
  return units;
}

const std::string& device_name(const PlanRequest& r, int device) {
  return r.cluster.devices.at(static_cast<size_t>(device)).name;
}

int device_option(const PlanRequest& r, const JsonCursor& options, const std::string& key, const std::string& fallback) {
  std::string name = fallback;
  std::optional<JsonCursor> where = options.find(key);
  if (where) name = where->as_string();
  if (name == "source") return r.cluster.source;
  if (name == "fastest") return r.cluster.by_speed().front();
  std::vector<std::string> names{"source", "fastest"};
  for (int d = 0; d < r.cluster.size(); ++d) {
    if (device_name(r, d) == name) return d;
    names.push_back(device_name(r, d));
  }
  std::string hint = closest_match(name, names);
  std::string msg = "unknown device '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                    " (valid: " + join(names, ", ") + ")";
  if (where) where->fail(msg);
  options.fail(msg);
}

PlanBuilder::PlanBuilder(const PlanRequest& request, std::string strategy, Json options) : request_(request) {
  plan_.strategy = std::move(strategy);
  plan_.options = std::move(options);
  plan_.model_name = request.graph.name;
  plan_.model_hash = request.graph.content_hash();
  for (const auto& d : request.cluster.devices) plan_.devices.push_back(d.name);
  plan_.source = request.cluster.source;
  plan_.variants.emplace_back();
  memory_parts_.emplace_back();
}

void PlanBuilder::new_variant(double min_rate_mbps, double max_rate_mbps) {
  plan_.variants.emplace_back();
  plan_.variants.back().min_rate_mbps = min_rate_mbps;
  plan_.variants.back().max_rate_mbps = max_rate_mbps;
  memory_parts_.emplace_back();
}

int PlanBuilder::add_stage(plan::Stage stage) {
  variant().stages.push_back(std::move(stage));
  return static_cast<int>(variant().stages.size()) - 1;
}

int PlanBuilder::add_task(plan::Task t, double activation_bytes, double weights) {
  t.id = static_cast<int>(variant().tasks.size());
  std::sort(t.deps.begin(), t.deps.end());
  t.deps.erase(std::unique(t.deps.begin(), t.deps.end()), t.deps.end());
  variant().tasks.push_back(std::move(t));
  memory_parts_.back().emplace_back(activation_bytes, weights);
  return variant().tasks.back().id;
}

int PlanBuilder::compute(int device, FlopsByOp flops, std::vector<int> deps, std::string name, int stage,
                         double activation_bytes, double weights) {
  plan::Task t;
  t.kind = plan::TaskKind::compute;
  t.device = device;
  t.flops = std::move(flops);
  t.deps = std::move(deps);
  t.name = std::move(name);
  t.stage = stage;
  // The stage's region of this device (a stage holds at most one region per static device).
  if (stage >= 0) {
    const auto& regions = variant().stages.at(static_cast<size_t>(stage)).regions;
    for (size_t i = 0; i < regions.size(); ++i)
      if (regions[i].device == device) {
        EDGEPART_ASSERT(t.region == -1, "two regions of one device in a stage");
        t.region = static_cast<int>(i);
      }
  }
  return add_task(std::move(t), activation_bytes, weights);
}

int PlanBuilder::pull(std::vector<int> pool, FlopsByOp flops, int in_from, double in_bytes, int out_to, double out_bytes,
                      std::vector<int> deps, std::string name, int stage, int region, double activation_bytes,
                      double weights, bool compressed) {
  plan::Task t;
  t.region = region;
  t.kind = plan::TaskKind::compute;
  t.dispatch = plan::Dispatch::pull;
  t.pool_devices = std::move(pool);
  t.flops = std::move(flops);
  t.in_from = in_from;
  t.in_bytes = in_bytes;
  t.out_to = out_to;
  t.out_bytes = out_bytes;
  t.compressed = compressed;
  t.deps = std::move(deps);
  t.name = std::move(name);
  t.stage = stage;
  return add_task(std::move(t), activation_bytes, weights);
}

std::vector<int> PlanBuilder::transfer(int from, int to, double bytes, const plan::TensorPiece& data, std::vector<int> deps,
                                       std::string name, int stage, bool compressed) {
  if (from == to || bytes <= 0) return deps;
  plan::Task t;
  t.data = data;
  t.kind = plan::TaskKind::transfer;
  t.from = from;
  t.to = to;
  t.bytes = bytes;
  t.compressed = compressed;
  t.deps = std::move(deps);
  t.name = std::move(name);
  t.stage = stage;
  return {add_task(std::move(t), 0, 0)};
}

plan::Plan PlanBuilder::finish() {
  const int n = request_.cluster.size();
  for (size_t vi = 0; vi < plan_.variants.size(); ++vi) {
    plan::Variant& v = plan_.variants[vi];
    const auto& parts = memory_parts_[vi];
    // Weights stay resident: a device holds the weights of everything it runs in the variant.
    std::vector<double> resident(static_cast<size_t>(n), 0);
    for (const auto& t : v.tasks)
      if (t.kind != plan::TaskKind::transfer && t.dispatch == plan::Dispatch::static_)
        resident[static_cast<size_t>(t.device)] += parts[static_cast<size_t>(t.id)].second;
    for (auto& t : v.tasks) {
      if (t.kind == plan::TaskKind::transfer) continue;
      const auto& [act, w] = parts[static_cast<size_t>(t.id)];
      t.memory_bytes = t.dispatch == plan::Dispatch::static_ ? resident[static_cast<size_t>(t.device)] + act : w + act;
    }
  }
  plan::validate_plan(plan_, "");
  sim::predict(plan_, request_.cluster, request_.costs);
  return plan_;
}

std::vector<double> memory_needs(const plan::Plan& plan, int devices) {
  std::vector<double> need(static_cast<size_t>(devices), 0);
  for (const auto& v : plan.variants)
    for (const auto& t : v.tasks) {
      if (t.kind == plan::TaskKind::transfer) continue;
      if (t.dispatch == plan::Dispatch::static_) need[static_cast<size_t>(t.device)] = std::max(need[static_cast<size_t>(t.device)], t.memory_bytes);
      else
        for (int d : t.pool_devices) need[static_cast<size_t>(d)] = std::max(need[static_cast<size_t>(d)], t.memory_bytes);
    }
  return need;
}

std::optional<std::string> memory_problem(const plan::Plan& plan, const scenario::Cluster& cluster) {
  auto need = memory_needs(plan, cluster.size());
  for (int d = 0; d < cluster.size(); ++d) {
    const auto& dev = cluster.devices[static_cast<size_t>(d)];
    if (!dev.memory_mb) continue;
    const double have = *dev.memory_mb * kBytesPerMb;
    if (need[static_cast<size_t>(d)] > have) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "needs %.1f MB on '%s', which has %s MB", need[static_cast<size_t>(d)] / kBytesPerMb,
                    dev.name.c_str(), format_number(*dev.memory_mb).c_str());
      return std::string(buf);
    }
  }
  return std::nullopt;
}

double plan_flops(const plan::Variant& v) {
  double s = 0;
  for (const auto& t : v.tasks)
    if (t.kind == plan::TaskKind::compute) s += scenario::total_flops(t.flops);
  return s;
}

double plan_macs(const plan::Variant& v) {
  double s = 0;
  for (const auto& t : v.tasks) {
    if (t.kind != plan::TaskKind::compute) continue;
    for (const char* op : {"conv2d", "linear"})
      if (auto it = t.flops.find(op); it != t.flops.end()) s += it->second / 2;  // FLOPs = 2 MACs (docs/design.md §3)
  }
  return s;
}

}  // namespace edgepart::strategy
