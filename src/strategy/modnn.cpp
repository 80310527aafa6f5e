// `modnn` (Mao et al., DATE 2017; docs/design.md §5): layer-wise distribution through a coordinator. For
// every unit (a convolution with its activation and pooling, layer_units()), the source scatters
// to each device the input rows it needs (halo included), the devices compute their rows in
// proportion to speed, and the source gathers the outputs before the next unit: two transfers per
// device per unit, no recomputation across units. Fully connected layers are split by output
// neurons with the input vector broadcast to every device (MoDNN's FC partition, simplified:
// dense input broadcast instead of its sparse-matrix partition). Other flat layers run on the
// source. The source computes its own share too.
#include <algorithm>

#include "edgepart/rf/block.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/plan_builder.hpp"
#include "strategy/spatial.hpp"

namespace edgepart::strategy {

using rf::Interval;
using rf::Region;

plan::Plan make_modnn_plan(const PlanRequest& r, const JsonCursor& options) {
  options.no_unknown_keys({});
  const auto& c = r.cluster;
  const int src = c.source;
  PlanBuilder b(r, "modnn", Json::object());
  std::vector<double> speeds;
  for (const auto& d : c.devices) speeds.push_back(d.speed_gflops);
  auto name = [&](int d) { return device_name(r, d); };

  // What the next unit waits for: the source holds the whole tensor when these are done.
  std::vector<int> ready;
  int ui = 0;
  for (const Unit& u : layer_units(r)) {
    const std::string tag = "u" + std::to_string(ui++);
    const LayerIndex in_tensor = r.graph.layer(u.first).inputs.front();
    plan::Stage stage;
    stage.first_layer = u.first;
    stage.last_layer = u.last;
    const double w = weight_bytes(r, u.first, u.last);
    std::vector<int> next;
    if (u.kind == Unit::none) {
      stage.split = "none";
      plan::DeviceRegion dr;
      dr.device = src;
      double act = 0;
      for (LayerIndex l = u.first; l <= u.last; ++l) {
        Region wr = whole(r, l);
        dr.rows.push_back(span(wr.rows));
        dr.cols.push_back(span(wr.cols));
        double in_b = 0;
        for (LayerIndex p : r.graph.layer(l).inputs) in_b += tensor_bytes(r, p);
        act = std::max(act, in_b + tensor_bytes(r, l));
      }
      Region in = whole(r, in_tensor);
      dr.input_rows = span(in.rows);
      dr.input_cols = span(in.cols);
      stage.regions.push_back(dr);
      int st = b.add_stage(stage);
      next.push_back(b.compute(src, range_flops(r, u.first, u.last), ready, tag + "/" + name(src), st, act, w));
      ready = next;
      continue;
    }
    const model::Shape& out = r.analysis.shapes[static_cast<size_t>(u.last)];
    const bool by_rows = u.kind == Unit::rows;
    stage.split = by_rows ? "rows" : "channels";
    const int64_t split_len = by_rows ? out.h : out.c;
    std::vector<rf::RowShare> shares = rf::split_rows(split_len, speeds);
    struct Part {
      int device;
      Interval range;
      rf::BlockRegions regions;
      FlopsByOp flops;
      double in_bytes = 0, out_bytes = 0, act = 0;
      plan::TensorPiece in_piece, out_piece;  // what is scattered to it and gathered from it
    };
    std::vector<Part> parts;
    for (const auto& sh : shares) {
      Part p;
      p.device = sh.device;
      p.range = sh.rows;
      if (by_rows) {
        p.regions = rf::propagate_block(r.graph, r.analysis, u.first, u.last, Region{sh.rows, Interval::whole(out.w)});
        for (LayerIndex l = u.first; l <= u.last; ++l) {
          add_flops(p.flops, region_flops(r, l, p.regions.output(l)));
          double in_b = 0;
          const auto& ins = p.regions.input(l);
          for (size_t k = 0; k < ins.size(); ++k) in_b += tensor_bytes(r, r.graph.layer(l).inputs[k], ins[k]);
          p.act = std::max(p.act, in_b + tensor_bytes(r, l, p.regions.output(l)));
        }
        p.in_bytes = tensor_bytes(r, in_tensor, p.regions.input_of(in_tensor));
        p.out_bytes = tensor_bytes(r, u.last, p.regions.output(u.last));
        p.in_piece = piece(r, in_tensor, p.regions.input_of(in_tensor));
        p.out_piece = piece(r, u.last, p.regions.output(u.last));
      } else {
        // Output neurons [begin, end] of every layer of the unit (linear + element-wise after it):
        // each layer's cost is per output neuron, so the share is the fraction of neurons.
        const double frac = static_cast<double>(sh.rows.length()) / static_cast<double>(out.c);
        for (LayerIndex l = u.first; l <= u.last; ++l)
          for (const auto& [op, f] : range_flops(r, l, l)) p.flops[op] += f * frac;
        p.in_bytes = tensor_bytes(r, in_tensor);  // the input vector, broadcast
        p.out_bytes = static_cast<double>(sh.rows.length()) * static_cast<double>(r.graph.dtype_bytes);
        p.in_piece = piece(r, in_tensor);
        p.out_piece = channel_piece(r, u.last, sh.rows);
        p.act = p.in_bytes + p.out_bytes;
      }
      plan::DeviceRegion dr;
      dr.device = p.device;
      for (LayerIndex l = u.first; l <= u.last; ++l) {
        if (by_rows) {
          dr.rows.push_back(span(p.regions.output(l).rows));
          dr.cols.push_back(span(p.regions.output(l).cols));
        } else {
          dr.rows.push_back(span(sh.rows));
          dr.cols.push_back(plan::Span{0, 0});
        }
      }
      if (by_rows) {
        Region in = p.regions.input_of(in_tensor);
        dr.input_rows = span(in.rows);
        dr.input_cols = span(in.cols);
      } else {
        dr.input_rows = plan::Span{0, r.analysis.shape_of(in_tensor).c - 1};
        dr.input_cols = plan::Span{0, 0};
      }
      stage.regions.push_back(dr);
      parts.push_back(std::move(p));
    }
    const int st = b.add_stage(stage);
    // Scatter (coordinator order: device index), compute, gather.
    std::vector<std::vector<int>> scattered(parts.size());
    for (size_t i = 0; i < parts.size(); ++i)
      scattered[i] = b.transfer(src, parts[i].device, parts[i].in_bytes, parts[i].in_piece, ready, tag + "/scatter/" + name(src) + "->" + name(parts[i].device), st);
    std::vector<int> computed;
    for (size_t i = 0; i < parts.size(); ++i)
      computed.push_back(b.compute(parts[i].device, parts[i].flops, scattered[i], tag + "/" + name(parts[i].device), st, parts[i].act, w));
    for (size_t i = 0; i < parts.size(); ++i) {
      auto g = b.transfer(parts[i].device, src, parts[i].out_bytes, parts[i].out_piece, {computed[i]}, tag + "/gather/" + name(parts[i].device) + "->" + name(src), st);
      next.insert(next.end(), g.begin(), g.end());
    }
    ready = next;
  }
  plan::Plan p = b.finish();
  if (auto problem = memory_problem(p, c)) throw InputError("", "/devices", "modnn: the plan does not fit: " + *problem);
  return p;
}

}  // namespace edgepart::strategy
