// The plan file (docs/design.md §7, docs/formats.md "Plan"): written with sorted keys (nlohmann's default
// object is a std::map) and numbers as the shortest text that reads back to the same double, so
// plan_from_json(plan_to_json(p)) == p exactly. Infinity (an open-ended rate band) is written as
// null; NaN and infinity are never dumped as numbers (nlohmann would write them as null silently).
#include <cmath>
#include <limits>
#include <set>

#include "edgepart/util/json_checks.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::plan {

namespace {

constexpr const char* kFormat = "edgepart.plan";
constexpr int64_t kVersion = 1;

double finite(double v, const char* what) {
  if (!std::isfinite(v)) throw InternalError(std::string("plan: non-finite ") + what);
  return v;
}

std::string kind_name(TaskKind k) {
  switch (k) {
    case TaskKind::compute: return "compute";
    case TaskKind::transfer: return "transfer";
    default: return "cache_lookup";
  }
}

Json span_json(const Span& s) { return Json::array({s.begin, s.end}); }

Json spans_json(const std::vector<Span>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(span_json(s));
  return a;
}

Json prediction_json(const Prediction& p) {
  Json j{{"latency_s", finite(p.latency_s, "latency")},
         {"compute_s", finite(p.compute_s, "compute time")},
         {"transfer_s", finite(p.transfer_s, "transfer time")},
         {"bytes_sent", finite(p.bytes_sent, "bytes")}};
  if (p.measured_compute_s > 0) {
    j["measured_compute_s"] = finite(p.measured_compute_s, "measured compute time");
    j["analytical_compute_s"] = finite(p.analytical_compute_s, "analytical compute time");
  }
  return j;
}

Json flops_json(const FlopsByOp& f) {
  Json o = Json::object();
  for (const auto& [op, v] : f) o[op] = finite(v, "flops");
  return o;
}

// Every field that matters for the task's kind is written; the others only when they differ
// from their defaults, so the file stays readable and still round-trips exactly.
Json task_json(const Task& t) {
  const Task d;
  Json j{{"id", t.id}, {"kind", kind_name(t.kind)}, {"name", t.name}, {"deps", t.deps}};
  if (t.stage != d.stage) j["stage"] = t.stage;
  if (t.region != d.region) j["region"] = t.region;
  if (t.layers != d.layers) j["layers"] = span_json(t.layers);
  if (t.reuse_share != d.reuse_share) j["reuse_share"] = finite(t.reuse_share, "share");
  const bool runs = t.kind != TaskKind::transfer;
  const bool pull = t.dispatch == Dispatch::pull;
  if (runs || t.dispatch != d.dispatch) j["dispatch"] = pull ? "pull" : "static";
  if ((runs && !pull) || t.device != d.device) j["device"] = t.device;
  if (pull || !t.pool_devices.empty()) j["pool_devices"] = t.pool_devices;
  if (runs || !t.flops.empty()) j["flops"] = flops_json(t.flops);
  if (runs || t.memory_bytes != 0) j["memory_bytes"] = finite(t.memory_bytes, "memory");
  if (pull || t.in_bytes != 0) j["in_bytes"] = finite(t.in_bytes, "in_bytes");
  if (pull || t.in_from != d.in_from) j["in_from"] = t.in_from;
  if (pull || t.out_bytes != 0) j["out_bytes"] = finite(t.out_bytes, "out_bytes");
  if (pull || t.out_to != d.out_to) j["out_to"] = t.out_to;
  const bool transfer = t.kind == TaskKind::transfer;
  if (transfer || t.from != d.from) j["from"] = t.from;
  if (transfer || t.to != d.to) j["to"] = t.to;
  if (transfer || t.bytes != 0) j["bytes"] = finite(t.bytes, "bytes");
  if (transfer || t.compressed) j["compressed"] = t.compressed;
  if (t.data != d.data)
    j["data"] = Json{{"tensor", t.data.tensor}, {"channels", span_json(t.data.channels)}, {"rows", span_json(t.data.rows)},
                     {"cols", span_json(t.data.cols)}};
  if (t.kind == TaskKind::cache_lookup || t.hit_probability != 0) j["hit_probability"] = finite(t.hit_probability, "probability");
  return j;
}

Json stage_json(const Stage& s) {
  Json regions = Json::array();
  for (const auto& r : s.regions)
    regions.push_back(Json{{"device", r.device}, {"tile", r.tile}, {"rows", spans_json(r.rows)}, {"cols", spans_json(r.cols)},
                           {"input_rows", span_json(r.input_rows)}, {"input_cols", span_json(r.input_cols)}});
  return Json{{"first_layer", s.first_layer}, {"last_layer", s.last_layer}, {"split", s.split}, {"regions", regions}};
}

Json variant_json(const Variant& v) {
  Json tasks = Json::array(), stages = Json::array();
  for (const auto& t : v.tasks) tasks.push_back(task_json(t));
  for (const auto& s : v.stages) stages.push_back(stage_json(s));
  Json max_rate = std::isinf(v.max_rate_mbps) && v.max_rate_mbps > 0 ? Json(nullptr) : Json(finite(v.max_rate_mbps, "rate"));
  return Json{{"min_rate_mbps", finite(v.min_rate_mbps, "rate")}, {"max_rate_mbps", max_rate},
              {"stages", stages}, {"tasks", tasks}, {"predicted", prediction_json(v.predicted)}};
}

// ---- reading ----

int as_index(const JsonCursor& c) { return static_cast<int>(c.as_int_in(-1, INT32_MAX)); }

Span parse_span(const JsonCursor& c) {
  c.expect_array();
  if (c.size() != 2) c.fail("expected [begin, end] (got " + std::to_string(c.size()) + " values)");
  return Span{c.at(size_t{0}).as_int(), c.at(size_t{1}).as_int()};
}

std::vector<Span> parse_spans(const JsonCursor& c) {
  c.expect_array();
  std::vector<Span> v;
  for (const auto& e : c.elements()) v.push_back(parse_span(e));
  return v;
}

Prediction parse_prediction(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"latency_s", "compute_s", "transfer_s", "bytes_sent", "measured_compute_s", "analytical_compute_s"});
  Prediction p;
  p.latency_s = c.at("latency_s").as_number();
  p.compute_s = c.number_or("compute_s", 0);
  p.transfer_s = c.number_or("transfer_s", 0);
  p.bytes_sent = c.number_or("bytes_sent", 0);
  p.measured_compute_s = c.number_or("measured_compute_s", 0);
  p.analytical_compute_s = c.number_or("analytical_compute_s", 0);
  return p;
}

std::vector<int> parse_ints(const JsonCursor& c) {
  c.expect_array();
  std::vector<int> v;
  for (const auto& e : c.elements()) v.push_back(as_index(e));
  return v;
}

Task parse_task(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"id", "kind", "name", "stage", "region", "layers", "deps", "dispatch", "device", "pool_devices", "flops",
                     "memory_bytes", "in_bytes", "in_from", "out_bytes", "out_to", "from", "to", "bytes", "compressed", "data",
                     "hit_probability", "reuse_share"});
  Task t;
  t.id = static_cast<int>(c.at("id").as_int_in(0, INT32_MAX));
  std::string kind = c.at("kind").as_choice({"compute", "transfer", "cache_lookup"});
  t.kind = kind == "compute" ? TaskKind::compute : kind == "transfer" ? TaskKind::transfer : TaskKind::cache_lookup;
  t.name = c.at("name").as_string();
  if (auto v = c.find("stage")) t.stage = as_index(*v);
  if (auto v = c.find("region")) t.region = as_index(*v);
  if (auto v = c.find("layers")) t.layers = parse_span(*v);
  if (auto v = c.find("reuse_share")) t.reuse_share = v->as_number_in(0, 1);
  t.deps = parse_ints(c.at("deps"));
  if (auto v = c.find("dispatch")) t.dispatch = v->as_choice({"static", "pull"}) == "pull" ? Dispatch::pull : Dispatch::static_;
  if (auto v = c.find("device")) t.device = as_index(*v);
  if (auto v = c.find("pool_devices")) t.pool_devices = parse_ints(*v);
  if (auto v = c.find("flops")) {
    v->expect_object();
    for (const auto& key : v->keys()) t.flops[key] = v->at(key).as_number_in(0, std::numeric_limits<double>::max());
  }
  if (auto v = c.find("memory_bytes")) t.memory_bytes = v->as_number_in(0, std::numeric_limits<double>::max());
  if (auto v = c.find("in_bytes")) t.in_bytes = v->as_number_in(0, std::numeric_limits<double>::max());
  if (auto v = c.find("in_from")) t.in_from = as_index(*v);
  if (auto v = c.find("out_bytes")) t.out_bytes = v->as_number_in(0, std::numeric_limits<double>::max());
  if (auto v = c.find("out_to")) t.out_to = as_index(*v);
  if (auto v = c.find("from")) t.from = as_index(*v);
  if (auto v = c.find("to")) t.to = as_index(*v);
  if (auto v = c.find("bytes")) t.bytes = v->as_number_in(0, std::numeric_limits<double>::max());
  if (auto v = c.find("compressed")) t.compressed = v->as_bool();
  if (auto v = c.find("data")) {
    v->expect_object();
    v->no_unknown_keys({"tensor", "channels", "rows", "cols"});
    t.data.tensor = static_cast<int>(v->at("tensor").as_int_in(kNoTensor, INT32_MAX));
    t.data.channels = parse_span(v->at("channels"));
    t.data.rows = parse_span(v->at("rows"));
    t.data.cols = parse_span(v->at("cols"));
  }
  if (auto v = c.find("hit_probability")) t.hit_probability = v->as_number_in(0, 1);
  return t;
}

Stage parse_stage(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"first_layer", "last_layer", "split", "regions"});
  Stage s;
  s.first_layer = static_cast<int>(c.at("first_layer").as_int_in(0, INT32_MAX));
  s.last_layer = static_cast<int>(c.at("last_layer").as_int_in(0, INT32_MAX));
  s.split = c.at("split").as_choice({"none", "rows", "tiles", "channels"});
  JsonCursor regions = c.at("regions");
  regions.expect_array();
  for (const auto& r : regions.elements()) {
    r.expect_object();
    r.no_unknown_keys({"device", "tile", "rows", "cols", "input_rows", "input_cols"});
    DeviceRegion d;
    d.device = as_index(r.at("device"));
    d.tile = as_index(r.at("tile"));
    d.rows = parse_spans(r.at("rows"));
    d.cols = parse_spans(r.at("cols"));
    d.input_rows = parse_span(r.at("input_rows"));
    d.input_cols = parse_span(r.at("input_cols"));
    s.regions.push_back(std::move(d));
  }
  return s;
}

Variant parse_variant(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"min_rate_mbps", "max_rate_mbps", "stages", "tasks", "predicted"});
  Variant v;
  v.min_rate_mbps = c.at("min_rate_mbps").as_number_in(0, std::numeric_limits<double>::max());
  JsonCursor max_rate = c.at("max_rate_mbps");
  v.max_rate_mbps = max_rate.value().is_null() ? std::numeric_limits<double>::infinity()
                                                : max_rate.as_number_in(0, std::numeric_limits<double>::max());
  JsonCursor stages = c.at("stages");
  stages.expect_array();
  for (const auto& s : stages.elements()) v.stages.push_back(parse_stage(s));
  JsonCursor tasks = c.at("tasks");
  tasks.expect_array();
  for (const auto& t : tasks.elements()) v.tasks.push_back(parse_task(t));
  v.predicted = parse_prediction(c.at("predicted"));
  return v;
}

void check_device(int device, size_t n, const std::string& file, const std::string& where, bool allow_none) {
  if ((allow_none && device == -1) || (device >= 0 && static_cast<size_t>(device) < n)) return;
  throw InputError(file, where, "device index " + std::to_string(device) + " out of range (plan has " + std::to_string(n) + " devices)");
}

// A compute task's region and layers lie inside its stage; a transfer's piece is a real box.
void check_work(const Variant& v, const Task& t, const std::string& file, const std::string& tp) {
  if (t.region != -1) {
    if (t.kind == TaskKind::transfer) throw InputError(file, tp + "/region", "a transfer computes no region");
    if (t.stage < 0) throw InputError(file, tp + "/region", "a region needs the task's stage");
    const Stage& s = v.stages[static_cast<size_t>(t.stage)];
    if (t.region < 0 || t.region >= static_cast<int>(s.regions.size()))
      throw InputError(file, tp + "/region", "region index " + std::to_string(t.region) + " out of range (stage " +
                                                 std::to_string(t.stage) + " has " + std::to_string(s.regions.size()) + ")");
    const DeviceRegion& r = s.regions[static_cast<size_t>(t.region)];
    if (t.dispatch == Dispatch::static_ && r.device != t.device)
      throw InputError(file, tp + "/region", "the region belongs to device " + std::to_string(r.device) + ", the task runs on " +
                                                 std::to_string(t.device));
  }
  if (t.reuse_share != 0 && t.region < 0)
    throw InputError(file, tp + "/reuse_share", "a reuse share needs the task's region");
  if (t.layers != Span{}) {
    if (t.stage < 0) throw InputError(file, tp + "/layers", "layers need the task's stage");
    const Stage& s = v.stages[static_cast<size_t>(t.stage)];
    if (t.layers.empty() || t.layers.begin < s.first_layer || t.layers.end > s.last_layer)
      throw InputError(file, tp + "/layers", "must be a non-empty range inside the stage's layers [" +
                                                 std::to_string(s.first_layer) + ", " + std::to_string(s.last_layer) + "]");
  }
  if (t.data != TensorPiece{}) {
    if (t.kind != TaskKind::transfer) throw InputError(file, tp + "/data", "only a transfer carries data");
    if (t.data.tensor == kNoTensor) throw InputError(file, tp + "/data/tensor", "a piece needs a tensor (-1: the model input)");
    for (const auto& [key, span] : {std::pair{"channels", t.data.channels}, {"rows", t.data.rows}, {"cols", t.data.cols}})
      if (span.empty() || span.begin < 0)
        throw InputError(file, tp + "/data/" + key, "must be a non-empty range of non-negative indices");
  }
}

}  // namespace

Span task_layers(const Variant& variant, const Task& task) {
  if (task.stage < 0) return Span{};
  if (!task.layers.empty()) return task.layers;
  const Stage& s = variant.stages.at(static_cast<size_t>(task.stage));
  return Span{s.first_layer, s.last_layer};
}

const DeviceRegion* task_region(const Variant& variant, const Task& task) {
  if (task.stage < 0 || task.region < 0) return nullptr;
  return &variant.stages.at(static_cast<size_t>(task.stage)).regions.at(static_cast<size_t>(task.region));
}

const Variant& Plan::variant_for_rate(double rate_mbps) const {
  EDGEPART_ASSERT(!variants.empty(), "plan without variants");
  for (const auto& v : variants)
    if (v.min_rate_mbps <= rate_mbps && rate_mbps < v.max_rate_mbps) return v;
  // Outside every band: the nearest end.
  return rate_mbps < variants.front().min_rate_mbps ? variants.front() : variants.back();
}

Json plan_to_json(const Plan& plan) {
  Json variants = Json::array();
  for (const auto& v : plan.variants) variants.push_back(variant_json(v));
  return Json{{"format", kFormat},
              {"version", kVersion},
              {"strategy", plan.strategy},
              {"options", plan.options},
              {"model", Json{{"name", plan.model_name}, {"hash", plan.model_hash}}},
              {"devices", plan.devices},
              {"source", plan.source},
              {"rate_peer", plan.rate_peer},
              {"lossless", plan.lossless},
              {"variants", variants},
              {"predicted", prediction_json(plan.predicted)},
              {"notes", plan.notes}};
}

Plan plan_from_json(const Json& doc, const std::string& file) {
  JsonCursor root(doc, file);
  expect_format(root, kFormat);
  root.no_unknown_keys({"format", "version", "strategy", "options", "model", "devices", "source", "rate_peer", "lossless", "variants",
                        "predicted", "notes"});
  JsonCursor version = root.at("version");
  if (version.as_int() != kVersion)
    version.fail("unsupported version " + std::to_string(version.as_int()) + " (this edgepart reads version 1)");
  Plan p;
  p.strategy = root.at("strategy").as_string();
  JsonCursor options = root.at("options");
  options.expect_object();
  p.options = options.value();
  JsonCursor model = root.at("model");
  model.expect_object();
  model.no_unknown_keys({"name", "hash"});
  p.model_name = model.at("name").as_string();
  p.model_hash = model.at("hash").as_string();
  JsonCursor devices = root.at("devices");
  devices.expect_array();
  for (const auto& d : devices.elements()) p.devices.push_back(d.as_string());
  p.source = static_cast<int>(root.at("source").as_int_in(0, INT32_MAX));
  if (auto peer = root.find("rate_peer")) {
    p.rate_peer = static_cast<int>(peer->as_int_in(-1, static_cast<int64_t>(p.devices.size()) - 1));
    if (p.rate_peer == p.source) peer->fail("must differ from source (got " + std::to_string(p.rate_peer) + ")");
  }
  p.lossless = root.at("lossless").as_bool();
  JsonCursor variants = root.at("variants");
  variants.expect_array();
  for (const auto& v : variants.elements()) p.variants.push_back(parse_variant(v));
  p.predicted = parse_prediction(root.at("predicted"));
  if (auto notes = root.find("notes")) {
    notes->expect_array();
    for (const auto& n : notes->elements()) p.notes.push_back(n.as_string());
  }
  validate_plan(p, file);
  return p;
}

Plan load_plan(const std::string& path) { return plan_from_json(read_json_file(path), path); }

void check_plan_model(const Plan& plan, const std::string& plan_file, const model::ModelGraph& graph,
                      const std::string& model_file) {
  if (plan.model_hash != graph.content_hash())
    throw InputError(plan_file, "/model/hash", "the plan was made for model '" + plan.model_name + "' (" +
                                                   plan.model_hash + "), not for " + model_file + " (" +
                                                   graph.content_hash() + ")");
  // Same architecture, so this holds unless the file was edited; compute tasks are timed from the
  // model's layers and their regions, so a stage past the last layer must not reach the engine.
  for (const auto& v : plan.variants)
    for (const auto& st : v.stages)
      if (static_cast<size_t>(st.last_layer) >= graph.size())
        throw InputError(plan_file, "/variants", "a stage ends at layer " + std::to_string(st.last_layer) +
                                                     ", the model has " + std::to_string(graph.size()) + " layers");
}

void validate_plan(const Plan& plan, const std::string& file) {
  const size_t n = plan.devices.size();
  if (n == 0) throw InputError(file, "/devices", "a plan needs at least one device");
  check_device(plan.source, n, file, "/source", false);
  if (plan.variants.empty()) throw InputError(file, "/variants", "a plan needs at least one variant");
  for (size_t vi = 0; vi < plan.variants.size(); ++vi) {
    const Variant& v = plan.variants[vi];
    const std::string vp = "/variants/" + std::to_string(vi);
    if (!(v.min_rate_mbps < v.max_rate_mbps))
      throw InputError(file, vp + "/max_rate_mbps", "the band must not be empty (min_rate_mbps < max_rate_mbps)");
    std::set<std::string> names;
    for (size_t ti = 0; ti < v.tasks.size(); ++ti) {
      const Task& t = v.tasks[ti];
      const std::string tp = vp + "/tasks/" + std::to_string(ti);
      if (t.id != static_cast<int>(ti))
        throw InputError(file, tp + "/id", "task ids must be 0, 1, 2, ... in order (got " + std::to_string(t.id) + ")");
      if (!names.insert(t.name).second) throw InputError(file, tp + "/name", "duplicate task name '" + t.name + "'");
      for (int d : t.deps)
        if (d < 0 || d >= t.id)
          throw InputError(file, tp + "/deps", "a dependency must be an earlier task (got " + std::to_string(d) + ")");
      if (t.stage < -1 || t.stage >= static_cast<int>(v.stages.size()))
        throw InputError(file, tp + "/stage", "stage index " + std::to_string(t.stage) + " out of range");
      check_work(v, t, file, tp);
      if (t.kind == TaskKind::transfer) {
        check_device(t.from, n, file, tp + "/from", false);
        check_device(t.to, n, file, tp + "/to", false);
      } else if (t.dispatch == Dispatch::static_) {
        check_device(t.device, n, file, tp + "/device", false);
      } else {
        if (t.pool_devices.empty()) throw InputError(file, tp + "/pool_devices", "a pull task needs at least one device");
        for (int d : t.pool_devices) check_device(d, n, file, tp + "/pool_devices", false);
        check_device(t.in_from, n, file, tp + "/in_from", true);
        check_device(t.out_to, n, file, tp + "/out_to", true);
        if (t.in_bytes > 0 && t.in_from < 0) throw InputError(file, tp + "/in_from", "in_bytes need a sender");
        if (t.out_bytes > 0 && t.out_to < 0) throw InputError(file, tp + "/out_to", "out_bytes need a receiver");
      }
    }
    for (size_t si = 0; si < v.stages.size(); ++si) {
      const Stage& s = v.stages[si];
      if (s.first_layer > s.last_layer)
        throw InputError(file, vp + "/stages/" + std::to_string(si), "first_layer must not exceed last_layer");
      const size_t layers = static_cast<size_t>(s.last_layer - s.first_layer) + 1;
      for (size_t ri = 0; ri < s.regions.size(); ++ri) {
        const std::string rp = vp + "/stages/" + std::to_string(si) + "/regions/" + std::to_string(ri);
        check_device(s.regions[ri].device, n, file, rp + "/device", true);
        // One row and one column range per layer of the stage: the cost model times each.
        for (const auto& [key, spans] : {std::pair{"rows", &s.regions[ri].rows}, {"cols", &s.regions[ri].cols}})
          if (spans->size() != layers)
            throw InputError(file, rp + "/" + key, "expected one range per layer of the stage (" + std::to_string(layers) +
                                                       ", got " + std::to_string(spans->size()) + ")");
      }
    }
  }
}

}  // namespace edgepart::plan
