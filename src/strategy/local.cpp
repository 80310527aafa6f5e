// `local`: the whole model on one device (docs/design.md §5), the baseline every speedup is measured
// against. Option `device`: "source" (default), "fastest" or a device name; on another device
// than the source, the input goes there first and the result comes back.
#include "edgepart/util/error.hpp"
#include "strategy/plan_builder.hpp"
#include "strategy/spatial.hpp"

namespace edgepart::strategy {

plan::Plan make_local_plan(const PlanRequest& r, const JsonCursor& options) {
  options.no_unknown_keys({"device"});
  const int src = r.cluster.source;
  const int dev = device_option(r, options, "device", "source");
  const LayerIndex last = r.graph.output();
  PlanBuilder b(r, "local", Json{{"device", device_name(r, dev)}});

  plan::Stage stage;
  stage.first_layer = 0;
  stage.last_layer = last;
  plan::DeviceRegion region;
  region.device = dev;
  for (LayerIndex l = 0; l <= last; ++l) {
    rf::Region w = whole(r, l);
    region.rows.push_back(span(w.rows));
    region.cols.push_back(span(w.cols));
  }
  rf::Region in = whole(r, model::kModelInput);
  region.input_rows = span(in.rows);
  region.input_cols = span(in.cols);
  stage.regions.push_back(region);
  int s = b.add_stage(stage);

  // Live activations: layers run one at a time, so the peak is the largest input + output pair.
  double act = 0;
  for (LayerIndex l = 0; l <= last; ++l) {
    double in_bytes = 0;
    for (LayerIndex p : r.graph.layer(l).inputs) in_bytes += tensor_bytes(r, p);
    act = std::max(act, in_bytes + tensor_bytes(r, l));
  }
  auto deps = b.transfer(src, dev, tensor_bytes(r, model::kModelInput), piece(r, model::kModelInput), {}, "input/" + device_name(r, src) + "->" + device_name(r, dev), s);
  int c = b.compute(dev, range_flops(r, 0, last), deps, "model/" + device_name(r, dev), s, act, weight_bytes(r, 0, last));
  b.transfer(dev, src, tensor_bytes(r, last), piece(r, last), {c}, "result/" + device_name(r, dev) + "->" + device_name(r, src), s);
  plan::Plan p = b.finish();
  if (auto problem = memory_problem(p, r.cluster))
    throw InputError("", "/devices/" + std::to_string(dev) + "/memory_mb", "local: the model does not fit: " + *problem);
  return p;
}

}  // namespace edgepart::strategy
