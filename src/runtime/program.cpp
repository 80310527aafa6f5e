#include "program.hpp"

#include <algorithm>
#include <set>

#include "edgepart/rf/block.hpp"
#include "edgepart/util/error.hpp"
#include "quantize.hpp"

namespace edgepart::runtime {

using plan::TaskKind;

namespace {

int exec_device(const plan::Task& t) { return t.kind == TaskKind::transfer ? t.from : t.device; }
int done_device(const plan::Task& t) { return t.kind == TaskKind::transfer ? t.to : t.device; }

rf::Interval interval(const plan::Span& s) { return rf::Interval{s.begin, s.end}; }

std::string where_of(size_t variant, const plan::Task& t) {
  return "/variants/" + std::to_string(variant) + "/tasks/" + std::to_string(t.id);
}

// The layers a compute task runs, with the exact boxes each reads (the same crops as
// exec::Executor::run_block, so a runtime part computes what verify computes).
std::vector<LayerStep> compute_steps(const plan::Plan& p, size_t variant, const plan::Task& t, const model::ModelGraph& g,
                                     const cost::ModelAnalysis& a) {
  const plan::Variant& v = p.variants[variant];
  const plan::DeviceRegion* region = plan::task_region(v, t);
  plan::Span layers = plan::task_layers(v, t);
  if (!region || layers.empty())
    throw InputError("<plan>", where_of(variant, t), "compute task '" + t.name + "' names no region of a stage");
  const plan::Stage& st = v.stages.at(static_cast<size_t>(t.stage));
  auto n = static_cast<size_t>(st.last_layer - st.first_layer + 1);
  if (region->rows.size() != n || region->cols.size() != n)
    throw InputError("<plan>", where_of(variant, t), "its region needs one row and column range per layer of the stage");
  std::vector<LayerStep> steps;
  if (st.split == "channels") {
    // Fully connected layers split by output neurons: `rows` are output channels. A linear layer
    // reads its whole input; element-wise layers read the same channels.
    for (auto l = static_cast<model::LayerIndex>(layers.begin); l <= layers.end; ++l) {
      const plan::Span& ch = region->rows[static_cast<size_t>(l - st.first_layer)];
      LayerStep s{l, rf::Region::whole(a.shapes[static_cast<size_t>(l)]), ch.begin, ch.end, {}, true, {}};
      for (model::LayerIndex in : g.layer(l).inputs) {
        const model::Shape& sh = a.shape_of(in);
        bool whole = g.layer(l).kind == model::OpKind::linear;
        s.inputs.push_back(InputCrop{in, rf::Region::whole(sh), rf::Region::whole(sh), whole ? 0 : ch.begin,
                                     whole ? sh.c - 1 : ch.end});
      }
      steps.push_back(std::move(s));
    }
    return steps;
  }
  const rf::Halo halo = p.lossless ? rf::Halo::exact : rf::Halo::none;
  rf::Region target{interval(region->rows.back()), interval(region->cols.back())};
  rf::BlockRegions br = rf::propagate_block(g, a, st.first_layer, st.last_layer, target, halo);
  for (auto l = static_cast<model::LayerIndex>(layers.begin); l <= layers.end; ++l) {
    size_t k = static_cast<size_t>(l - st.first_layer);
    const model::Shape& out_shape = a.shapes[static_cast<size_t>(l)];
    rf::Region out = rf::Region{interval(region->rows[k]), interval(region->cols[k])}.clip(out_shape);
    if (out.empty()) continue;
    LayerStep s{l, out, 0, out_shape.c - 1, {}, true, {}};
    for (model::LayerIndex in : g.layer(l).inputs) {
      const model::Shape& sh = a.shape_of(in);
      rf::Region crop = (in >= st.first_layer ? br.output(in) : br.input_of(in)).clip(sh);
      s.inputs.push_back(InputCrop{in, crop, halo == rf::Halo::exact ? rf::Region::whole(sh) : crop, 0, sh.c - 1});
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

// Which step outputs may stay inside their task (see LayerStep::store). Outputs read by a
// transfer, by another task of this device, or that are the model output go to the store; in a
// "channels" stage everything does (a step there keeps only some channels).
void mark_local_outputs(Program& prog, const plan::Variant& v, const model::ModelGraph& g) {
  std::vector<int> readers(g.size(), 0);  // reads from outside the producing task
  for (const plan::Task& t : v.tasks)
    if (t.kind == TaskKind::transfer && t.data.tensor >= 0) readers[static_cast<size_t>(t.data.tensor)] += 2;
  readers.back() += 2;
  for (size_t id = 0; id < prog.tasks.size(); ++id) {
    const TaskPlan& tp = prog.tasks[id];
    for (const LayerStep& s : tp.steps)
      for (const InputCrop& in : s.inputs) {
        if (in.tensor < 0) continue;
        bool inside = std::any_of(tp.steps.begin(), tp.steps.end(), [&](const LayerStep& o) { return o.layer == in.tensor; });
        if (!inside) readers[static_cast<size_t>(in.tensor)] += 2;
      }
  }
  for (size_t id = 0; id < prog.tasks.size(); ++id) {
    TaskPlan& tp = prog.tasks[id];
    const plan::Task& t = v.tasks[id];
    const bool channels = t.stage >= 0 && v.stages[static_cast<size_t>(t.stage)].split == "channels";
    for (size_t k = 0; k < tp.steps.size(); ++k) {
      LayerStep& s = tp.steps[k];
      s.store = channels || k + 1 == tp.steps.size() || readers[static_cast<size_t>(s.layer)] > 0;
      s.local_inputs.assign(s.inputs.size(), -1);
      if (channels) continue;
      for (size_t i = 0; i < s.inputs.size(); ++i)
        for (size_t j = 0; j < k; ++j)
          if (tp.steps[j].layer == s.inputs[i].tensor) s.local_inputs[i] = static_cast<int>(j);
    }
  }
}

// A pull task (DeepThings / ADCNN tiles): its input is the region's input box of the stage input
// (from in_from), its output the region of the stage's last layer (to out_to).
void build_pull(TaskPlan& tp, const plan::Plan& p, size_t variant, const plan::Task& t, int device,
                const model::ModelGraph& g, const cost::ModelAnalysis& a) {
  const plan::Variant& v = p.variants[variant];
  const plan::DeviceRegion* region = plan::task_region(v, t);
  if (!t.deps.empty() || !region || t.in_from < 0 || t.out_to < 0)
    throw InputError("<plan>", where_of(variant, t),
                     "pull task '" + t.name + "' needs a region, in_from and out_to, and no dependencies (the runtime's queue)");
  const plan::Stage& st = v.stages.at(static_cast<size_t>(t.stage));
  const auto& first_inputs = g.layer(st.first_layer).inputs;
  if (first_inputs.size() != 1 || st.split == "channels")
    throw InputError("<plan>", where_of(variant, t), "pull task '" + t.name + "': its stage must read one tensor");
  tp.pull = true;
  tp.exec_device = -1;
  tp.done_device = t.out_to;
  tp.in_from = t.in_from;
  tp.out_to = t.out_to;
  tp.provide = t.in_from == device;
  tp.collect = t.out_to == device;
  const model::Shape& in = a.shape_of(first_inputs.front());
  const model::Shape& out = a.shapes[static_cast<size_t>(st.last_layer)];
  tp.in_box = Box{first_inputs.front(), 0, in.c - 1, region->input_rows.begin, region->input_rows.end,
                  region->input_cols.begin, region->input_cols.end};
  tp.out_box = Box{st.last_layer, 0, out.c - 1, region->rows.back().begin, region->rows.back().end,
                   region->cols.back().begin, region->cols.back().end};
  if (t.compressed) tp.out_bits = bits_for(t.out_bytes, tp.out_box.elements());
  if (std::find(t.pool_devices.begin(), t.pool_devices.end(), device) != t.pool_devices.end())
    tp.steps = compute_steps(p, variant, t, g, a);
}

}  // namespace

Box box_of(const plan::TensorPiece& piece) {
  return Box{piece.tensor, piece.channels.begin, piece.channels.end, piece.rows.begin, piece.rows.end,
             piece.cols.begin, piece.cols.end};
}

std::string box_to_string(const Box& b) {
  return (b.tensor < 0 ? std::string("input") : "tensor " + std::to_string(b.tensor)) + " channels " +
         std::to_string(b.c0) + ".." + std::to_string(b.c1) + ", rows " + std::to_string(b.r0) + ".." +
         std::to_string(b.r1) + ", cols " + std::to_string(b.x0) + ".." + std::to_string(b.x1);
}

Program build_program(const plan::Plan& p, size_t variant, int device, const model::ModelGraph& g,
                      const cost::ModelAnalysis& a) {
  const plan::Variant& v = p.variants.at(variant);
  Program prog;
  prog.device = device;
  prog.tasks.resize(v.tasks.size());
  std::set<int> send_to;
  for (const plan::Task& t : v.tasks) {
    TaskPlan& tp = prog.tasks[static_cast<size_t>(t.id)];
    if (t.kind == TaskKind::compute && t.dispatch == plan::Dispatch::pull) {
      build_pull(tp, p, variant, t, device, g, a);
      prog.involved += (tp.provide ? 1 : 0) + (tp.collect ? 1 : 0);
      if (tp.provide)
        for (int d : t.pool_devices) send_to.insert(d);
      if (std::find(t.pool_devices.begin(), t.pool_devices.end(), device) != t.pool_devices.end()) send_to.insert(t.out_to);
      continue;
    }
    if (t.kind == TaskKind::cache_lookup && t.dispatch == plan::Dispatch::pull)
      throw InputError("<plan>", where_of(variant, t), "task '" + t.name + "': a pulled cache lookup is not supported");
    tp.exec_device = exec_device(t);
    tp.done_device = done_device(t);
    tp.deps = static_cast<int>(t.deps.size());
    if (t.kind == TaskKind::transfer) {
      if (t.data.tensor == plan::kNoTensor)
        throw InputError("<plan>", where_of(variant, t), "transfer '" + t.name + "' carries no tensor piece");
      tp.box = box_of(t.data);
      const model::Shape& sh = a.shape_of(t.data.tensor);
      if (tp.box.elements() <= 0 || tp.box.c0 < 0 || tp.box.c1 >= sh.c || tp.box.r0 < 0 || tp.box.r1 >= sh.h ||
          tp.box.x0 < 0 || tp.box.x1 >= sh.w)
        throw InputError("<plan>", where_of(variant, t) + "/data",
                         "transfer '" + t.name + "' carries " + box_to_string(tp.box) + ", not a box of the tensor");
    }
    if (t.kind == TaskKind::transfer && t.from == t.to) {
      if (t.from == device) tp.role = TaskRole::local_transfer;
    } else if (t.kind == TaskKind::transfer) {
      if (t.from == device) tp.role = TaskRole::send;
      else if (t.to == device) tp.role = TaskRole::receive;
    } else if (t.device == device) {
      tp.role = t.kind == TaskKind::compute ? TaskRole::compute : TaskRole::lookup;
    }
    if (tp.role == TaskRole::compute) tp.steps = compute_steps(p, variant, t, g, a);
    if (tp.role != TaskRole::none) ++prog.involved;
    if (tp.role == TaskRole::send) send_to.insert(t.to);
  }
  for (const plan::Task& t : v.tasks) {
    const TaskPlan& tp = prog.tasks[static_cast<size_t>(t.id)];
    for (int d : t.deps) {
      TaskPlan& dp = prog.tasks.at(static_cast<size_t>(d));
      if (tp.exec_device == device && tp.role != TaskRole::receive && tp.role != TaskRole::none)
        dp.successors.push_back(t.id);
      if (dp.done_device == device && tp.exec_device != device &&
          std::find(dp.notify.begin(), dp.notify.end(), tp.exec_device) == dp.notify.end()) {
        dp.notify.push_back(tp.exec_device);
        send_to.insert(tp.exec_device);
      }
    }
    if (tp.exec_device == device && tp.deps == 0 && tp.role != TaskRole::none && tp.role != TaskRole::receive)
      prog.initial.push_back(t.id);
  }
  prog.send_to.assign(send_to.begin(), send_to.end());
  mark_local_outputs(prog, v, g);
  return prog;
}

std::vector<int> participants(const plan::Plan& p, size_t variant) {
  std::set<int> devs{p.source};
  for (const plan::Task& t : p.variants.at(variant).tasks) {
    if (t.kind == TaskKind::transfer) {
      devs.insert(t.from);
      devs.insert(t.to);
    } else if (t.device >= 0) {
      devs.insert(t.device);
    } else if (t.dispatch == plan::Dispatch::pull) {
      devs.insert(t.in_from);
      devs.insert(t.out_to);
    }
  }
  return {devs.begin(), devs.end()};
}

std::vector<model::LayerIndex> computed_layers(const plan::Plan& plan, int device, const model::ModelGraph& graph,
                                               const cost::ModelAnalysis& analysis) {
  std::set<model::LayerIndex> layers;
  for (size_t v = 0; v < plan.variants.size(); ++v)
    for (const TaskPlan& t : build_program(plan, v, device, graph, analysis).tasks)
      for (const LayerStep& step : t.steps) layers.insert(step.layer);
  return {layers.begin(), layers.end()};
}

}  // namespace edgepart::runtime
