// Every plan says exactly what each task computes and what each transfer carries, and that is
// enough to run it: replaying a variant task by task, each device must hold, among the results of
// the tasks it depends on, every pixel its next computation reads (rf's backward mapping), every
// transfer must send data its sender holds, and the source must end with the whole model output.
// This is the precondition of a real runtime (edgepart run); the expected regions come from rf,
// independently of the strategies' own bookkeeping.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/rf/backward.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/strategy/strategy.hpp"

using namespace edgepart;
using model::LayerIndex;

namespace {

// Which cells of one tensor a device holds: its map's pixels (every channel at once: spatial
// pieces always carry all channels), or for a 1x1 map its channels (fully connected splits).
class Coverage {
public:
  explicit Coverage(const model::Shape& s) : shape_(s), flat_(s.h == 1 && s.w == 1), cells_(static_cast<size_t>(flat_ ? s.c : s.h * s.w), 0) {}

  void add(const plan::TensorPiece& p) { visit(p, [](char& c) { c = 1; return true; }); }
  bool holds(const plan::TensorPiece& p) const {
    return const_cast<Coverage*>(this)->visit(p, [](char& c) { return c != 0; });
  }

private:
  template <class F>
  bool visit(const plan::TensorPiece& p, F f) {
    if (flat_) {
      for (int64_t ch = p.channels.begin; ch <= p.channels.end; ++ch)
        if (!f(cells_.at(static_cast<size_t>(ch)))) return false;
      return true;
    }
    EDGEPART_ASSERT(p.channels == (plan::Span{0, shape_.c - 1}), "a spatial piece carries every channel");
    for (int64_t y = p.rows.begin; y <= p.rows.end; ++y)
      for (int64_t x = p.cols.begin; x <= p.cols.end; ++x)
        if (!f(cells_.at(static_cast<size_t>(y * shape_.w + x)))) return false;
    return true;
  }
  model::Shape shape_;
  bool flat_;
  std::vector<char> cells_;
};

plan::TensorPiece box(const cost::ModelAnalysis& a, LayerIndex tensor, const rf::Region& r) {
  const model::Shape& s = a.shape_of(tensor);
  return plan::TensorPiece{tensor, plan::Span{0, s.c - 1}, plan::Span{r.rows.begin, r.rows.end},
                           plan::Span{r.cols.begin, r.cols.end}};
}

// The data one device holds: results of tasks in a dependency closure.
using Holdings = std::map<std::pair<int, LayerIndex>, Coverage>;  // (device, tensor)

struct Replay {
  const model::ModelGraph& g;
  const cost::ModelAnalysis& a;
  const plan::Plan& p;
  const plan::Variant& v;
  rf::Halo halo;
  std::vector<std::vector<plan::TensorPiece>> produced;  // per task: (device-less) pieces it makes
  std::vector<int> produced_on;                          // per task: the device that gets them

  Coverage& at(Holdings& h, int device, LayerIndex t) {
    auto key = std::make_pair(device, t);
    auto it = h.find(key);
    if (it == h.end()) it = h.emplace(key, Coverage(a.shape_of(t))).first;
    return it->second;
  }

  // What device `d` holds before task `t`: the model input at the source, plus everything the
  // tasks in t's dependency closure delivered to d.
  Holdings before(int t, int d) {
    Holdings h;
    if (d == p.source) at(h, d, model::kModelInput).add(box(a, model::kModelInput, rf::Region::whole(g.input)));
    std::vector<char> in(static_cast<size_t>(t), 0);
    std::vector<int> stack(v.tasks[static_cast<size_t>(t)].deps);
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      if (in[static_cast<size_t>(x)]) continue;
      in[static_cast<size_t>(x)] = 1;
      for (int y : v.tasks[static_cast<size_t>(x)].deps) stack.push_back(y);
    }
    for (int x = 0; x < t; ++x)
      if (in[static_cast<size_t>(x)] && produced_on[static_cast<size_t>(x)] == d)
        for (const auto& piece : produced[static_cast<size_t>(x)]) at(h, d, piece.tensor).add(piece);
    return h;
  }

  // The regions of layer l's output that region `dr` computes, as rf regions.
  static rf::Region out_region(const plan::Stage& st, const plan::DeviceRegion& dr, LayerIndex l) {
    const auto& r = dr.rows.at(static_cast<size_t>(l - st.first_layer));
    const auto& c = dr.cols.at(static_cast<size_t>(l - st.first_layer));
    return rf::Region{rf::Interval{r.begin, r.end}, rf::Interval{c.begin, c.end}};
  }

  // Checks a compute task on device d (pull: d = the device holding its input) and records what
  // it produces. Fails the test with the task's name when data is missing.
  void compute(const plan::Task& t, int d, Holdings& h) {
    const plan::Stage& st = v.stages.at(static_cast<size_t>(t.stage));
    const plan::DeviceRegion* dr = plan::task_region(v, t);
    ASSERT_NE(dr, nullptr) << t.name << ": a compute task names its region";
    const plan::Span layers = plan::task_layers(v, t);
    const bool channels = st.split == "channels";
    for (LayerIndex l = static_cast<LayerIndex>(layers.begin); l <= layers.end; ++l) {
      const model::Shape& out = a.shapes[static_cast<size_t>(l)];
      std::vector<rf::Region> reads;
      plan::TensorPiece made;
      if (channels) {
        // Output neurons [r.begin, r.end] of a flat layer read the whole input (linear) or the
        // same neurons (element-wise after it).
        const auto& r = dr->rows.at(static_cast<size_t>(l - st.first_layer));
        made = plan::TensorPiece{l, plan::Span{r.begin, r.end}, plan::Span{0, 0}, plan::Span{0, 0}};
        for (LayerIndex in : g.layer(l).inputs) {
          plan::TensorPiece need = g.layer(l).kind == model::OpKind::linear
                                       ? box(a, in, rf::Region::whole(a.shape_of(in)))
                                       : plan::TensorPiece{in, made.channels, plan::Span{0, 0}, plan::Span{0, 0}};
          ASSERT_TRUE(at(h, d, in).holds(need)) << p.strategy << " " << t.name << ": layer " << g.layer(l).name
                                                << " reads input " << in << " that device " << d << " does not hold";
        }
      } else {
        rf::Region o = out_region(st, *dr, l);
        made = box(a, l, o.clip(out));
        const auto ins = rf::input_regions(g, a, l, o, halo);
        for (size_t k = 0; k < ins.size(); ++k) {
          if (ins[k].empty()) continue;
          const LayerIndex in = g.layer(l).inputs[k];
          ASSERT_TRUE(at(h, d, in).holds(box(a, in, ins[k])))
              << p.strategy << " " << t.name << ": layer " << g.layer(l).name << " reads rows [" << ins[k].rows.begin << ", "
              << ins[k].rows.end << "] of tensor " << in << " that device " << d << " does not hold";
        }
      }
      at(h, d, l).add(made);  // later layers of the task read it
    }
  }

  void run() {
    const size_t n = v.tasks.size();
    produced.assign(n, {});
    produced_on.assign(n, -1);
    for (size_t ti = 0; ti < n; ++ti) {
      const plan::Task& t = v.tasks[ti];
      if (t.kind == plan::TaskKind::cache_lookup) continue;  // CCIED: the miss path computes everything
      if (t.kind == plan::TaskKind::transfer) {
        ASSERT_NE(t.data.tensor, plan::kNoTensor) << p.strategy << " " << t.name << ": a transfer says what it carries";
        Holdings h = before(static_cast<int>(ti), t.from);
        ASSERT_TRUE(at(h, t.from, t.data.tensor).holds(t.data))
            << p.strategy << " " << t.name << ": sends tensor " << t.data.tensor << " that device " << t.from << " does not hold";
        if (!t.compressed) {
          const double size = static_cast<double>(t.data.channels.length() * t.data.rows.length() * t.data.cols.length() * g.dtype_bytes);
          EXPECT_EQ(t.bytes, size) << p.strategy << " " << t.name << ": bytes on the wire = the piece's size";
        }
        produced[ti] = {t.data};
        produced_on[ti] = t.to;
        continue;
      }
      if (t.dispatch == plan::Dispatch::pull) {
        // The device that takes it receives the region's input box from in_from, computes, and
        // sends the region of the stage's last layer to out_to.
        const plan::Stage& st = v.stages.at(static_cast<size_t>(t.stage));
        const plan::DeviceRegion* dr = plan::task_region(v, t);
        ASSERT_NE(dr, nullptr) << t.name;
        const LayerIndex in = g.layer(st.first_layer).inputs.front();
        Holdings src = before(static_cast<int>(ti), t.in_from);
        const plan::TensorPiece in_box{in, plan::Span{0, a.shape_of(in).c - 1}, dr->input_rows, dr->input_cols};
        ASSERT_TRUE(at(src, t.in_from, in).holds(in_box)) << p.strategy << " " << t.name << ": input not at in_from";
        Holdings worker;
        at(worker, -1, in).add(in_box);
        compute(t, -1, worker);
        if (testing::Test::HasFatalFailure()) return;
        const model::Shape& out = a.shapes[static_cast<size_t>(st.last_layer)];
        produced[ti] = {box(a, st.last_layer, out_region(st, *dr, st.last_layer).clip(out))};
        produced_on[ti] = t.out_to;
        continue;
      }
      Holdings h = before(static_cast<int>(ti), t.device);
      compute(t, t.device, h);
      if (testing::Test::HasFatalFailure()) return;
      const plan::Span layers = plan::task_layers(v, t);
      for (LayerIndex l = static_cast<LayerIndex>(layers.begin); l <= layers.end; ++l) {
        const plan::Stage& st = v.stages.at(static_cast<size_t>(t.stage));
        const plan::DeviceRegion& dr = *plan::task_region(v, t);
        if (st.split == "channels") {
          const auto& r = dr.rows.at(static_cast<size_t>(l - st.first_layer));
          produced[ti].push_back(plan::TensorPiece{l, plan::Span{r.begin, r.end}, plan::Span{0, 0}, plan::Span{0, 0}});
        } else {
          produced[ti].push_back(box(a, l, out_region(st, dr, l).clip(a.shapes[static_cast<size_t>(l)])));
        }
      }
      produced_on[ti] = t.device;
    }
    // The source ends with the whole model output.
    Holdings end;
    const LayerIndex last = g.output();
    Coverage& c = at(end, p.source, last);
    for (size_t ti = 0; ti < n; ++ti)
      if (produced_on[ti] == p.source)
        for (const auto& piece : produced[ti])
          if (piece.tensor == last) c.add(piece);
    EXPECT_TRUE(c.holds(box(a, last, rf::Region::whole(a.shapes[static_cast<size_t>(last)]))))
        << p.strategy << ": the source does not receive the whole model output";
  }
};

void check_every_strategy(const std::string& model_name, int devices, double mbps) {
  model::ModelGraph g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + model_name + ".json");
  cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c;
  for (int i = 0; i < devices; ++i) {
    scenario::Device d;
    d.name = "d" + std::to_string(i);
    d.speed_gflops = 20 + 5 * i;
    d.is_source = i == 0;
    c.devices.push_back(d);
  }
  c.network.bandwidth_mbps = mbps;
  c.network.latency_s = 0.001;
  scenario::Workload w;
  const timing::CostModel costs(g, a, c);
  strategy::PlanRequest req{g, a, c, w, costs};
  int checked = 0;
  for (const auto& info : strategy::strategy_table()) {
    std::string why;
    if (!info.applicable(req, why)) continue;
    plan::Plan p = strategy::make_plan(std::string(info.name), req, Json::object());
    for (const auto& v : p.variants) {
      Replay r{g, a, p, v, p.lossless ? rf::Halo::exact : rf::Halo::none, {}, {}};
      r.run();
      if (testing::Test::HasFatalFailure()) return;
    }
    ++checked;
  }
  EXPECT_GE(checked, 8) << "most strategies apply to " << model_name;
}

TEST(PlanDataflow, EveryStrategyDeliversWhatItsTasksRead) {
  for (const char* m : {"vgg16", "alexnet", "resnet18", "googlenet", "yolov2_tiny", "squeezenet1_1"}) {
    SCOPED_TRACE(m);
    check_every_strategy(m, 4, 100);
    if (testing::Test::HasFatalFailure()) return;
  }
}

TEST(PlanDataflow, LowBandwidthPlansToo) {
  // At 5 Mbit/s the strategies choose other splits (DPFP coarser blocks, two-party later cuts).
  check_every_strategy("vgg16", 3, 5);
  check_every_strategy("resnet18", 2, 5);
}

}  // namespace
