// Measured per-layer profiles (docs/formats.md "Profile"): interpolation, strict reading, writing
// with sorted keys and shortest round-trip numbers (nlohmann's default object is a std::map and
// its double output is the shortest text that reads back to the same value), and matching a
// profile to a model and to a scenario's device.
#include "edgepart/util/json_checks.hpp"
#include "edgepart/timing/profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/op.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::timing {

namespace {

constexpr const char* kFormat = "edgepart.profile";
constexpr int64_t kVersion = 1;

// Rows of a layer whose points all have `cols` columns: points [begin, end) sorted by rows.
// Exact at measured heights, linear between neighbours; outside the measured heights the time
// is proportional to the rows, at the per-row time of the nearest measured strip (see
// docs/timing.md "Measured profiles" for why not a linear extrapolation).
double interpolate_rows(std::vector<ProfilePoint>::const_iterator begin, std::vector<ProfilePoint>::const_iterator end,
                        int64_t rows) {
  const ProfilePoint& first = *begin;
  const ProfilePoint& last = *(end - 1);
  const auto r = static_cast<double>(rows);
  // The ratio first, so that a measured height gives its median exactly (m * r / r may not).
  if (rows <= first.rows) return first.median_s * (r / static_cast<double>(first.rows));
  if (rows >= last.rows) return last.median_s * (r / static_cast<double>(last.rows));
  // The first point with more rows than asked; its predecessor has fewer or equal.
  auto hi = std::upper_bound(begin, end, rows, [](int64_t v, const ProfilePoint& p) { return v < p.rows; });
  const ProfilePoint& b = *hi;
  const ProfilePoint& a = *(hi - 1);
  const double t = (r - static_cast<double>(a.rows)) / static_cast<double>(b.rows - a.rows);
  return a.median_s + t * (b.median_s - a.median_s);
}

// ---- reading ----

int64_t as_count(const JsonCursor& c) { return c.as_positive_int(); }

double as_time(const JsonCursor& c) {
  double v = c.as_number();
  if (!(v >= 0)) c.fail("a time must be >= 0 s (got " + format_number(v) + ")");
  return v;
}

MeasuredOn parse_measured_on(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"host", "cpu", "threads", "runtime"});
  MeasuredOn m;
  m.host = c.at("host").as_string();
  m.cpu = c.at("cpu").as_string();
  m.threads = c.at("threads").as_positive_int();
  m.runtime = c.at("runtime").as_string();
  return m;
}

model::Shape parse_output(const JsonCursor& c) {
  c.expect_array();
  if (c.size() != 1 && c.size() != 3) c.fail("expected [C, H, W] or [F] (got " + std::to_string(c.size()) + " values)");
  if (c.size() == 1) return model::Shape::features(as_count(c.at(size_t{0})));
  return model::Shape::chw(as_count(c.at(size_t{0})), as_count(c.at(size_t{1})), as_count(c.at(size_t{2})));
}

ProfilePoint parse_point(const JsonCursor& c, const model::Shape& output) {
  c.expect_object();
  c.no_unknown_keys({"rows", "cols", "median_s", "p25_s", "p75_s", "runs"});
  ProfilePoint p;
  p.rows = c.at("rows").as_int_in(1, output.h);
  p.cols = c.at("cols").as_int_in(1, output.w);
  p.median_s = as_time(c.at("median_s"));
  p.p25_s = as_time(c.at("p25_s"));
  p.p75_s = as_time(c.at("p75_s"));
  p.runs = as_count(c.at("runs"));
  if (!(p.p25_s <= p.median_s && p.median_s <= p.p75_s))
    c.fail("expected p25_s <= median_s <= p75_s (got " + format_number(p.p25_s) + ", " + format_number(p.median_s) +
           ", " + format_number(p.p75_s) + ")");
  return p;
}

LayerProfile parse_layer(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"layer", "name", "op", "output", "points"});
  LayerProfile l;
  l.layer = static_cast<LayerIndex>(c.at("layer").as_int_in(0, std::numeric_limits<LayerIndex>::max()));
  l.name = c.at("name").as_string();
  l.op = c.at("op").as_string();
  l.output = parse_output(c.at("output"));
  JsonCursor points = c.at("points");
  points.expect_array();
  if (points.size() == 0) points.fail("needs at least one point (got none)");
  for (const auto& e : points.elements()) {
    ProfilePoint p = parse_point(e, l.output);
    if (!l.points.empty()) {
      const ProfilePoint& prev = l.points.back();
      if (p.cols < prev.cols || (p.cols == prev.cols && p.rows <= prev.rows))
        e.fail("points must be sorted by (cols, rows) without repeats (got rows " + std::to_string(p.rows) + ", cols " +
               std::to_string(p.cols) + " after rows " + std::to_string(prev.rows) + ", cols " +
               std::to_string(prev.cols) + ")");
    }
    l.points.push_back(p);
  }
  return l;
}

std::vector<TransferPoint> parse_transfers(const JsonCursor& c) {
  c.expect_array();
  std::vector<TransferPoint> v;
  for (const auto& e : c.elements()) {
    e.expect_object();
    e.no_unknown_keys({"bytes", "median_s"});
    TransferPoint t{e.at("bytes").as_number_in(0, std::numeric_limits<double>::max()), as_time(e.at("median_s"))};
    if (!v.empty() && !(t.bytes > v.back().bytes))
      e.at("bytes").fail("bytes must increase (got " + format_number(t.bytes) + " after " +
                         format_number(v.back().bytes) + ")");
    v.push_back(t);
  }
  return v;
}

// ---- writing ----

double finite(double v, const char* what) {
  if (!std::isfinite(v)) throw InternalError(std::string("profile: non-finite ") + what);
  return v;
}

Json point_json(const ProfilePoint& p) {
  return Json{{"rows", p.rows},
              {"cols", p.cols},
              {"median_s", finite(p.median_s, "median")},
              {"p25_s", finite(p.p25_s, "p25")},
              {"p75_s", finite(p.p75_s, "p75")},
              {"runs", p.runs}};
}

Json layer_json(const LayerProfile& l) {
  Json points = Json::array();
  for (const auto& p : l.points) points.push_back(point_json(p));
  return Json{{"layer", l.layer}, {"name", l.name}, {"op", l.op}, {"output", l.output.dims()}, {"points", points}};
}

}  // namespace

const LayerProfile* Profile::find(LayerIndex layer) const {
  const auto i = static_cast<size_t>(layer);
  if (layer >= 0 && i < layers.size() && layers[i].layer == layer) return &layers[i];  // a full profile
  auto it = std::lower_bound(layers.begin(), layers.end(), layer,
                             [](const LayerProfile& l, LayerIndex v) { return l.layer < v; });
  return it != layers.end() && it->layer == layer ? &*it : nullptr;
}

double interpolate_points(const std::vector<ProfilePoint>& points, int64_t rows, int64_t cols) {
  EDGEPART_ASSERT(!points.empty(), "interpolating an empty profile");
  EDGEPART_ASSERT(rows >= 0 && cols >= 0, "negative region");
  if (rows == 0 || cols == 0) return 0;
  // The column group: the narrowest measured width >= cols (the width whose per-column time is
  // closest to the region's), else the widest measured; its time is scaled by cols / width.
  // Usually every point has the whole width (one group): no search then.
  auto group = points.begin(), group_end = points.end();
  if (points.front().cols != points.back().cols) {
    auto by_cols = [](const ProfilePoint& p, int64_t v) { return p.cols < v; };
    group = std::lower_bound(points.begin(), points.end(), cols, by_cols);
    if (group == points.end()) group = std::lower_bound(points.begin(), points.end(), points.back().cols, by_cols);
    group_end = std::upper_bound(group, points.end(), group->cols,
                                 [](int64_t v, const ProfilePoint& p) { return v < p.cols; });
  }
  const int64_t width = group->cols;
  const double t = interpolate_rows(group, group_end, rows);
  return t * (static_cast<double>(cols) / static_cast<double>(width));
}

std::optional<double> Profile::layer_time_s(LayerIndex layer, int64_t rows, int64_t cols) const {
  const LayerProfile* l = find(layer);
  if (l == nullptr || l->points.empty()) return std::nullopt;
  return interpolate_points(l->points, rows, cols);
}

std::optional<double> Profile::layer_time_s(LayerIndex layer, int64_t rows, int64_t cols,
                                            double channel_fraction) const {
  EDGEPART_ASSERT(channel_fraction > 0 && channel_fraction <= 1, "channel fraction outside (0, 1]");
  auto t = layer_time_s(layer, rows, cols);
  if (t) *t *= channel_fraction;
  return t;
}

std::vector<double> Profile::whole_width_row_times_s(LayerIndex layer) const {
  const LayerProfile* l = find(layer);
  if (l == nullptr || l->points.empty()) return {};
  std::vector<double> times(static_cast<size_t>(l->output.h) + 1);
  for (int64_t r = 0; r <= l->output.h; ++r) times[static_cast<size_t>(r)] = interpolate_points(l->points, r, l->output.w);
  return times;
}

Json profile_to_json(const Profile& p) {
  Json layers = Json::array();
  for (const auto& l : p.layers) layers.push_back(layer_json(l));
  Json doc{{"format", kFormat},
           {"version", kVersion},
           {"measured_on", Json{{"host", p.measured_on.host},
                                {"cpu", p.measured_on.cpu},
                                {"threads", p.measured_on.threads},
                                {"runtime", p.measured_on.runtime}}},
           {"model", Json{{"name", p.model_name}, {"hash", p.model_hash}}},
           {"settings", Json{{"runs", p.settings.runs}, {"warmup", p.settings.warmup}}},
           {"layers", layers}};
  if (!p.transfers.empty()) {
    Json transfers = Json::array();
    for (const auto& t : p.transfers)
      transfers.push_back(Json{{"bytes", finite(t.bytes, "bytes")}, {"median_s", finite(t.median_s, "transfer")}});
    doc["transfers"] = transfers;
  }
  return doc;
}

std::string profile_to_json_text(const Profile& p) { return profile_to_json(p).dump(2) + "\n"; }

Profile profile_from_json(const Json& doc, const std::string& file) {
  JsonCursor root(doc, file);
  expect_format(root, kFormat);
  root.no_unknown_keys({"format", "version", "measured_on", "model", "settings", "layers", "transfers"});
  root.at("version").as_int_in(kVersion, kVersion);
  Profile p;
  p.file = file;
  p.measured_on = parse_measured_on(root.at("measured_on"));
  JsonCursor model = root.at("model");
  model.expect_object();
  model.no_unknown_keys({"name", "hash"});
  p.model_name = model.at("name").as_string();
  p.model_hash = model.at("hash").as_string();
  JsonCursor settings = root.at("settings");
  settings.expect_object();
  settings.no_unknown_keys({"runs", "warmup"});
  p.settings.runs = settings.at("runs").as_positive_int();
  p.settings.warmup = settings.at("warmup").as_int_in(0, INT64_MAX);
  JsonCursor layers = root.at("layers");
  layers.expect_array();
  for (const auto& e : layers.elements()) {
    LayerProfile l = parse_layer(e);
    if (!p.layers.empty() && l.layer <= p.layers.back().layer)
      e.at("layer").fail("layers must be in ascending order without repeats (got " + std::to_string(l.layer) +
                         " after " + std::to_string(p.layers.back().layer) + ")");
    p.layers.push_back(std::move(l));
  }
  if (auto t = root.find("transfers")) p.transfers = parse_transfers(*t);
  return p;
}

Profile load_profile(const std::string& path) { return profile_from_json(read_json_file(path), path); }

void check_profile_matches(const Profile& p, const model::ModelGraph& graph, const std::string& file) {
  const std::string hash = graph.content_hash();
  if (p.model_hash != hash || p.model_name != graph.name)
    throw InputError(file, "/model", "profile was measured on model '" + p.model_name + "' (" + p.model_hash +
                                         "), scenario model is '" + graph.name + "' (" + hash + ")");
  // The hash covers the architecture, so the layers agree unless the file was edited by hand.
  const std::vector<model::Shape> shapes = cost::infer_shapes(graph);
  for (size_t k = 0; k < p.layers.size(); ++k) {
    const LayerProfile& l = p.layers[k];
    const std::string where = "/layers/" + std::to_string(k);
    if (static_cast<size_t>(l.layer) >= graph.size())
      throw InputError(file, where + "/layer", "the model has " + std::to_string(graph.size()) + " layers (got " +
                                                   std::to_string(l.layer) + ")");
    const model::Layer& m = graph.layer(l.layer);
    const std::string op(model::op_name(m.kind));
    if (l.name != m.name || l.op != op)
      throw InputError(file, where, "layer " + std::to_string(l.layer) + " of the model is '" + m.name + "' (" + op +
                                        "), not '" + l.name + "' (" + l.op + ")");
    const model::Shape& shape = shapes[static_cast<size_t>(l.layer)];
    if (l.output.dims() != shape.dims())
      throw InputError(file, where + "/output", "layer '" + m.name + "' outputs " + shape.to_string() + " (got " +
                                                    l.output.to_string() + ")");
  }
}

std::vector<Profile> load_device_profiles(const scenario::Device& device, const model::ModelGraph& graph) {
  std::vector<Profile> out;
  const std::string hash = graph.content_hash();
  for (const std::string& path : device.profiles) {
    Profile p = load_profile(path);
    if (p.model_hash != hash) continue;  // a profile of another model: ignored
    check_profile_matches(p, graph, path);
    if (!out.empty())
      throw InputError(path, "/model", "device '" + device.name + "' already has a profile of model '" + graph.name +
                                           "' (" + out.front().file + ")");
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace edgepart::timing
