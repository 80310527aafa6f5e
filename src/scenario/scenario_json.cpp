// The scenario file (docs/design.md §7, docs/formats.md "Scenario"): strict parsing through JsonCursor, so
// every error names the file and the JSON pointer; `--set` overrides are applied to the document
// first (docs/design.md §8).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "edgepart/util/json_checks.hpp"
#include "edgepart/cost/op_class.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/model/op.hpp"
#include "edgepart/model/prefix.hpp"
#include "edgepart/model/zoo.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/limits.hpp"
#include "edgepart/util/sim_clock.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::scenario {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "edgepart.scenario";
constexpr int64_t kVersion = 1;

double ms_to_s(double ms) { return ms / 1000.0; }

// A duration the simulator steps by or waits for (a channel's coherence or step time, the
// arrival period): positive, at least one tick of the simulated clock (a shorter one rounds to 0)
// and inside its range (a longer one saturates to "never"). Returns milliseconds as written.
double sim_duration_ms(const JsonCursor& v) {
  const double ms = v.as_positive_number();
  // As the channels convert it (ms * 1e-3 s, rounded to the nearest tick): 0 ticks is refused.
  if (std::nearbyint(ms * 1e-3 * sim_clock::kTicksPerSecond) < 1)
    v.fail("must be at least the simulator's time resolution of 1 ns = 1e-6 ms (got " + format_number(ms) + ")");
  if (ms_to_s(ms) > sim_clock::kMax_s)
    v.fail("beyond the simulated-time range of " + format_number(sim_clock::kMax_s) + " s, about 292 years (got " +
           format_number(ms) + " ms)");
  return ms;
}

// A path inside a file is relative to that file (docs/design.md §7).
std::string resolve_relative(const std::string& file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || file.empty()) return path;
  fs::path base = fs::path(file).parent_path();
  return (base / path).lexically_normal().string();
}

// A trace file: one "time_s,rate_mbps" pair per line; blank lines, '#' comments and a header line
// whose first field is not a number are skipped. Times must increase strictly and start at 0
// (a piecewise-constant profile needs a rate from time 0 on); rates must be > 0.
std::vector<std::pair<double, double>> load_trace(const std::string& path, const JsonCursor& where) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const InputError& e) {
    where.fail("cannot read trace file '" + path + "': " + e.message());
  }
  std::vector<std::pair<double, double>> points;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  auto bad = [&](const std::string& msg) {
    throw InputError(path, "line " + std::to_string(line_no), msg + " (trace file of " + where.pointer() + ")");
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto comma = line.find(',');
    if (comma == std::string::npos) bad("expected 'time_s,rate_mbps'");
    auto number = [&](const std::string& s, double& out) {
      try {
        size_t used = 0;
        out = std::stod(s, &used);
        return s.find_first_not_of(" \t\r", used) == std::string::npos && std::isfinite(out);
      } catch (const std::exception&) {
        return false;
      }
    };
    double t = 0, r = 0;
    bool t_ok = number(line.substr(0, comma), t), r_ok = number(line.substr(comma + 1), r);
    if (!t_ok && points.empty() && line_no == 1) continue;  // a header line
    if (!t_ok || !r_ok) bad("expected two numbers 'time_s,rate_mbps' (got '" + shortened(line) + "')");
    if (!(r > 0)) bad("rate must be > 0 (got " + format_number(r) + ")");
    if (points.empty() && t != 0) bad("the first time must be 0 (got " + format_number(t) + ")");
    if (!points.empty() && !(t > points.back().first)) bad("times must increase (got " + format_number(t) + ")");
    points.emplace_back(t, r);
  }
  if (points.empty()) throw InputError(path, "", "trace file has no points (trace of " + where.pointer() + ")");
  return points;
}

ChannelSpec parse_channel(const JsonCursor& c, const std::string& scenario_file) {
  c.expect_object();
  std::string kind = c.at("kind").as_choice({"constant", "rayleigh", "gilbert_elliott", "trace"});
  if (kind == "constant") {
    c.no_unknown_keys({"kind"});
    return ConstantChannel{};
  }
  if (kind == "rayleigh") {
    // The fading scales the link's bandwidth_mbps (its mean rate), so a channel bandwidth of its
    // own would be a second, silently ignored rate: refused with the conversion.
    if (auto v = c.find("bandwidth_mhz"))
      v->fail("a Rayleigh channel scales its link's bandwidth_mbps (the mean rate) and has no bandwidth of its own: "
              "remove bandwidth_mhz and set the link's bandwidth_mbps to the channel's ergodic capacity "
              "B e^(1/snr) E1(1/snr) / ln 2 (20 MHz at 20 dB: 117.7 Mbit/s)");
    c.no_unknown_keys({"kind", "snr_db", "coherence_ms"});
    RayleighChannel r;
    if (auto v = c.find("snr_db")) r.snr_db = v->as_number_in(-50, 100);  // a plausible physical range
    if (auto v = c.find("coherence_ms")) r.coherence_ms = sim_duration_ms(*v);
    return r;
  }
  if (kind == "gilbert_elliott") {
    // Absolute rates would not follow the link's bandwidth (a link override without a channel of
    // its own inherited 100/10 Mbit/s): the states are factors of the link's bandwidth_mbps.
    for (const char* old_key : {"good_mbps", "bad_mbps"})
      if (auto v = c.find(old_key))
        v->fail("Gilbert-Elliott rates are factors of the link's bandwidth_mbps: use good_factor and bad_factor "
                "(good_mbps / bandwidth_mbps, bad_mbps / bandwidth_mbps)");
    c.no_unknown_keys({"kind", "good_factor", "bad_factor", "p_good_to_bad", "p_bad_to_good", "step_ms"});
    GilbertElliottChannel g;
    g.good_factor = c.at("good_factor").as_positive_number();
    g.bad_factor = c.at("bad_factor").as_positive_number();  // 0 would stall a transfer forever
    if (auto v = c.find("p_good_to_bad")) g.p_good_to_bad = v->as_number_in(0, 1);
    if (auto v = c.find("p_bad_to_good")) g.p_bad_to_good = v->as_number_in(0, 1);
    if (auto v = c.find("step_ms")) g.step_ms = sim_duration_ms(*v);
    return g;
  }
  c.no_unknown_keys({"kind", "file", "loop"});
  TraceChannel t;
  JsonCursor file = c.at("file");
  t.path = resolve_relative(scenario_file, file.as_string());
  t.loop = c.bool_or("loop", true);
  t.points = std::make_shared<const TracePoints>(load_trace(t.path, file));
  return t;
}

Device parse_device(const JsonCursor& c, const std::string& file) {
  c.expect_object();
  c.no_unknown_keys({"name", "comment", "speed_gflops", "role", "efficiency", "task_overhead_ms",
                     "layer_overhead_ms", "memory_gbps", "memory_mb", "power", "speed_profile", "profiles"});
  Device d;
  d.name = c.at("name").as_string();
  if (d.name.empty()) c.at("name").fail("must not be empty");
  if (auto v = c.find("comment")) v->as_string();  // free text for people (calibrate writes one)
  d.speed_gflops = c.at("speed_gflops").as_positive_number();
  if (auto role = c.find("role")) d.is_source = role->as_choice({"source", "server"}) == "source";
  if (auto eff = c.find("efficiency")) {
    eff->expect_object();
    // Keys are op names or op-class names; "linear" is both and means the same layers either way.
    std::vector<std::string> keys = model::op_names();
    for (const auto& name : cost::op_class_names())
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) keys.push_back(name);
    for (const auto& key : eff->keys()) {
      JsonCursor v = eff->at(key);
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string hint = closest_match(key, keys);
        v.fail("unknown op or op class '" + key + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      double f = v.as_number();
      if (!(f > 0 && f <= 1)) v.fail("efficiency must be in (0, 1] (got " + format_number(f) + ")");
      d.efficiency[key] = f;
    }
  }
  if (auto v = c.find("task_overhead_ms")) d.task_overhead_s = ms_to_s(v->as_number_in(0, 1e9));
  if (auto v = c.find("layer_overhead_ms")) d.layer_overhead_s = ms_to_s(v->as_number_in(0, 1e9));
  if (auto v = c.find("memory_gbps")) d.memory_gbps = v->as_number_in(0, 1e9);  // 0 = not memory-bound
  if (auto v = c.find("memory_mb")) d.memory_mb = v->as_positive_number();
  if (auto p = c.find("power")) {
    p->expect_object();
    p->no_unknown_keys({"busy_w", "idle_w", "tx_w"});
    if (auto v = p->find("busy_w")) d.power_busy_w = v->as_number_in(0, 1e9);
    if (auto v = p->find("idle_w")) d.power_idle_w = v->as_number_in(0, 1e9);
    if (auto v = p->find("tx_w")) d.power_tx_w = v->as_number_in(0, 1e9);
  }
  if (auto prof = c.find("speed_profile")) {
    prof->expect_array();
    for (const auto& e : prof->elements()) {
      e.expect_object();
      e.no_unknown_keys({"at_ms", "factor"});
      SpeedChange s;
      JsonCursor at = e.at("at_ms");
      s.at_s = ms_to_s(at.as_number_in(0, 1e15));
      s.factor = e.at("factor").as_number_in(0, 1e6);
      if (!d.speed_profile.empty() && !(s.at_s > d.speed_profile.back().at_s))
        at.fail("times must increase (got " + format_number(s.at_s * 1000) + " after " +
                format_number(d.speed_profile.back().at_s * 1000) + ")");
      d.speed_profile.push_back(s);
    }
  }
  if (auto profiles = c.find("profiles")) {
    // Only the paths here: the files are read by the timing module (timing::load_device_profiles).
    profiles->expect_array();
    for (const auto& e : profiles->elements()) {
      std::string path = e.as_string();
      if (path.empty()) e.fail("must not be empty");
      d.profiles.push_back(resolve_relative(file, path));
    }
  }
  return d;
}

Network parse_network(const JsonCursor& c, const std::string& file) {
  c.expect_object();
  c.no_unknown_keys({"kind", "sharing", "bandwidth_mbps", "latency_ms", "goodput_factor", "message_overhead_ms", "channel", "links"});
  Network n;
  if (auto v = c.find("kind")) n.kind = v->as_choice({"shared", "switched"}) == "shared" ? NetworkKind::shared : NetworkKind::switched;
  if (auto v = c.find("sharing")) n.sharing = v->as_choice({"fifo", "fair"}) == "fifo" ? Sharing::fifo : Sharing::fair;
  n.bandwidth_mbps = c.at("bandwidth_mbps").as_positive_number();
  if (auto v = c.find("latency_ms")) n.latency_s = ms_to_s(v->as_number_in(0, 1e9));
  if (auto v = c.find("goodput_factor")) {
    n.goodput_factor = v->as_number_in(0, 1);
    if (n.goodput_factor <= 0) v->fail("the share of the bandwidth that carries payload must be > 0 (got 0)");
  }
  if (auto v = c.find("message_overhead_ms")) n.message_overhead_s = ms_to_s(v->as_number_in(0, 1e9));
  if (auto v = c.find("channel")) n.channel = parse_channel(*v, file);
  if (auto links = c.find("links")) {
    links->expect_array();
    for (const auto& e : links->elements()) {
      e.expect_object();
      e.no_unknown_keys({"from", "to", "bandwidth_mbps", "latency_ms", "channel", "symmetric"});
      LinkSpec l;
      l.from = e.at("from").as_string();
      l.to = e.at("to").as_string();
      l.bandwidth_mbps = e.find("bandwidth_mbps") ? e.at("bandwidth_mbps").as_positive_number() : n.bandwidth_mbps;
      l.latency_s = e.find("latency_ms") ? ms_to_s(e.at("latency_ms").as_number_in(0, 1e9)) : n.latency_s;
      l.channel = e.find("channel") ? parse_channel(e.at("channel"), file) : n.channel;
      l.symmetric = e.bool_or("symmetric", false);
      n.links.push_back(l);
    }
  }
  return n;
}

Workload parse_workload(const JsonCursor& c) {
  c.expect_object();
  c.no_unknown_keys({"requests", "arrival", "concurrency", "period_ms", "rate_rps", "deadline_ms", "sources",
                     "cache_hit_rate"});
  Workload w;
  if (auto v = c.find("requests")) {
    w.requests = v->as_positive_int();
    // Hardening (docs/robustness.md): memory and time grow with the requests.
    if (w.requests > limits::max_requests())
      v->fail("more than " + with_thousands(limits::max_requests()) + " requests" +
              limits::raise_hint("EDGEPART_MAX_REQUESTS"));
  }
  if (auto v = c.find("arrival")) {
    std::string a = v->as_choice({"closed", "periodic", "poisson"});
    w.arrival = a == "closed" ? Arrival::closed : a == "periodic" ? Arrival::periodic : Arrival::poisson;
  }
  if (auto v = c.find("concurrency")) w.concurrency = v->as_positive_int();
  if (auto v = c.find("period_ms")) w.period_s = ms_to_s(sim_duration_ms(*v));
  if (auto v = c.find("rate_rps")) {
    w.rate_rps = v->as_positive_number();
    // The mean gap between arrivals, 1 / rate, must fit the simulated clock like a period.
    if (1.0 / w.rate_rps > sim_clock::kMax_s)
      v->fail("the mean time between arrivals, 1 / rate_rps, is beyond the simulated-time range of " +
              format_number(sim_clock::kMax_s) + " s, about 292 years (got " + format_number(w.rate_rps) + ")");
  }
  if (w.arrival == Arrival::periodic && !c.find("period_ms")) c.fail("arrival 'periodic' needs 'period_ms'");
  if (w.arrival == Arrival::poisson && !c.find("rate_rps")) c.fail("arrival 'poisson' needs 'rate_rps'");
  if (auto v = c.find("deadline_ms")) w.deadline_s = ms_to_s(v->as_positive_number());
  if (auto v = c.find("sources")) {
    v->expect_array();
    for (const auto& e : v->elements()) w.sources.push_back(e.as_string());
  }
  if (auto v = c.find("cache_hit_rate")) w.cache_hit_rate = v->as_number_in(0, 1);
  return w;
}

// "unknown device 'es9'; did you mean 'es0'? (devices: ...)".
void check_device_name(const Scenario& s, const JsonCursor& where, const std::string& name) {
  if (s.find_device(name)) return;
  std::vector<std::string> names;
  for (const auto& d : s.devices) names.push_back(d.name);
  std::string hint = closest_match(name, names);
  where.fail("unknown device '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
             " (devices: " + join(names, ", ") + ")");
}

}  // namespace

std::string channel_kind(const ChannelSpec& spec) {
  switch (spec.index()) {
    case 0: return "constant";
    case 1: return "rayleigh";
    case 2: return "gilbert_elliott";
    default: return "trace";
  }
}

double channel_mean_rate_mbps(const ChannelSpec& spec, double bandwidth_mbps) {
  if (const auto* g = std::get_if<GilbertElliottChannel>(&spec)) {
    // Stationary distribution of the two-state chain: P(bad) = p_gb / (p_gb + p_bg); a chain
    // that never moves stays in the good state it starts in (the simulator's rule).
    const double leave = g->p_good_to_bad + g->p_bad_to_good;
    const double p_bad = leave > 0 ? g->p_good_to_bad / leave : 0.0;
    return bandwidth_mbps * ((1 - p_bad) * g->good_factor + p_bad * g->bad_factor);
  }
  if (const auto* t = std::get_if<TraceChannel>(&spec)) {
    // The simulator's profile (sim/channels/trace.cpp): the first rate before the first point,
    // rate i on [t_i, t_i+1); looping, the last point's time is the period and its rate unused;
    // otherwise the last rate holds for ever, so it is the long-run mean.
    const TracePoints& pts = *t->points;
    const double period_s = pts.back().first;
    if (!t->loop || period_s <= 0) return pts.back().second;
    double area = pts.front().first * pts.front().second;
    for (size_t i = 0; i + 1 < pts.size(); ++i) area += (pts[i + 1].first - pts[i].first) * pts[i].second;
    return area / period_s;
  }
  return bandwidth_mbps;  // constant; Rayleigh is normalised to mean 1 x the bandwidth
}

std::vector<std::string> Scenario::input_files() const {
  std::vector<std::string> files = {file, model_path};
  auto add_trace = [&files](const ChannelSpec& spec) {
    if (const auto* t = std::get_if<TraceChannel>(&spec)) files.push_back(t->path);
  };
  add_trace(network.channel);
  for (const LinkSpec& l : network.links) add_trace(l.channel);
  for (const Device& d : devices) files.insert(files.end(), d.profiles.begin(), d.profiles.end());
  return files;
}

int Scenario::source() const {
  for (size_t i = 0; i < devices.size(); ++i)
    if (devices[i].is_source) return static_cast<int>(i);
  throw InternalError("scenario without a source device");
}

std::optional<int> Scenario::find_device(const std::string& device_name) const {
  for (size_t i = 0; i < devices.size(); ++i)
    if (devices[i].name == device_name) return static_cast<int>(i);
  return std::nullopt;
}

Scenario scenario_from_json(const Json& doc, const std::string& file) {
  JsonCursor root(doc, file);
  expect_format(root, kFormat);
  root.no_unknown_keys({"format", "version", "name", "model", "model_until", "devices", "network", "workload", "strategy", "seed"});
  JsonCursor version = root.at("version");
  if (version.as_int() != kVersion)
    version.fail("unsupported version " + std::to_string(version.as_int()) + " (this edgepart reads version 1)");

  Scenario s;
  s.file = file;
  s.name = root.string_or("name", fs::path(file).stem().string());
  JsonCursor model = root.at("model");
  const std::string model_text = model.as_string();
  if (model_text.empty()) model.fail("must not be empty");
  s.model_path = resolve_relative(file, model_text);
  // A bare name ("vgg16") that is no file next to the scenario is a zoo name, as on the command
  // line (model/zoo.hpp); load_scenario_model reports it when it is neither.
  if (std::error_code ec; model::is_bare_model_name(model_text) && !fs::exists(s.model_path, ec))
    if (std::string zoo = model::find_zoo_model(model_text); !zoo.empty()) s.model_path = zoo;
  if (auto until = root.find("model_until")) {
    s.model_until = until->as_string();
    if (s.model_until.empty()) until->fail("must name a layer (got \"\")");
  }

  JsonCursor devices = root.at("devices");
  devices.expect_array();
  if (devices.size() == 0) devices.fail("needs at least one device");
  // Hardening (docs/robustness.md): planners and the simulator keep per-pair state.
  if (static_cast<int64_t>(devices.size()) > limits::max_devices())
    devices.fail(with_thousands(static_cast<int64_t>(devices.size())) + " devices, more than " +
                 with_thousands(limits::max_devices()) + limits::raise_hint("EDGEPART_MAX_DEVICES"));
  std::set<std::string> names;
  for (const auto& e : devices.elements()) {
    Device d = parse_device(e, file);
    if (!names.insert(d.name).second) e.at("name").fail("duplicate device name '" + d.name + "'");
    s.devices.push_back(std::move(d));
  }
  int sources = static_cast<int>(std::count_if(s.devices.begin(), s.devices.end(), [](const Device& d) { return d.is_source; }));
  if (sources != 1)
    devices.fail("exactly one device must have role \"source\" (got " + std::to_string(sources) + ")");

  JsonCursor network = root.at("network");
  s.network = parse_network(network, file);
  if (auto links = network.find("links")) {
    for (size_t i = 0; i < s.network.links.size(); ++i) {
      JsonCursor e = links->at(i);
      const LinkSpec& l = s.network.links[i];
      check_device_name(s, e.at("from"), l.from);
      check_device_name(s, e.at("to"), l.to);
      if (l.from == l.to) e.at("to").fail("a link joins two different devices (got '" + l.to + "' twice)");
    }
  }
  if (auto w = root.find("workload")) {
    s.workload = parse_workload(*w);
    if (auto src = w->find("sources"))
      for (size_t i = 0; i < s.workload.sources.size(); ++i) check_device_name(s, src->at(i), s.workload.sources[i]);
  }
  if (auto st = root.find("strategy")) {
    st->expect_object();
    st->no_unknown_keys({"name", "options"});
    s.strategy.name = st->string_or("name", s.strategy.name);
    if (auto o = st->find("options")) {
      o->expect_object();
      s.strategy.options = o->value();
    }
  }
  if (auto v = root.find("seed")) s.seed = static_cast<uint64_t>(v->as_int_in(0, INT64_MAX));
  return s;
}

namespace {

// "; did you mean '/network/channel'?" for an override's pointer whose path does not exist: the
// first missing key is matched against the keys of the object that should hold it, as the strict
// parser does for a key inside the file (closest_match); "" when there is no plausible match.
std::string pointer_hint(const Json& doc, Json::json_pointer missing) {
  std::vector<std::string> tokens;
  for (; !missing.empty(); missing.pop_back()) tokens.insert(tokens.begin(), missing.back());
  const Json* node = &doc;
  Json::json_pointer good;
  for (const auto& token : tokens) {
    if (node->is_object() && node->contains(token)) {
      node = &(*node)[token];
    } else if (node->is_array() && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos &&
               token.size() < 10 && std::stoul(token) < node->size()) {
      node = &(*node)[std::stoul(token)];
    } else {
      if (!node->is_object()) return "";
      std::vector<std::string> keys;
      for (const auto& item : node->items()) keys.push_back(item.key());
      const std::string hint = closest_match(token, keys);
      return hint.empty() ? "" : "; did you mean '" + (good / hint).to_string() + "'?";
    }
    good /= token;
  }
  return "";
}

}  // namespace

void apply_override(Json& doc, const std::string& text, const std::string& file) {
  auto eq = text.find('=');
  if (eq == std::string::npos || text.empty() || text[0] != '/')
    throw InputError(file, "--set " + text, "expected /json/pointer=value (e.g. /network/bandwidth_mbps=50)");
  std::string pointer_text = text.substr(0, eq);
  std::string value_text = text.substr(eq + 1);
  // Hardening (found by fuzz_scenario): text that is not valid UTF-8 would become a JSON
  // key or string that nlohmann cannot dump, so the first message quoting it was an internal error.
  try {
    (void)Json(text).dump();
  } catch (const Json::type_error&) {
    throw InputError(file, "--set", "the override is not valid UTF-8 text");
  }
  Json::json_pointer ptr;
  try {
    ptr = Json::json_pointer(pointer_text);
  } catch (const Json::exception& e) {
    throw InputError(file, pointer_text, std::string("--set: malformed JSON pointer: ") + e.what());
  }
  // docs/design.md §8: the value is JSON when it parses as JSON ("50", "true", "[1,2]", "\"x\""), else a string.
  Json value = parse_json_if_json(value_text, file, "--set " + pointer_text).value_or(Json(value_text));
  Json::json_pointer parent = ptr.parent_pointer();
  // contains() itself throws on some tokens that cannot index an array (found by fuzz_scenario:
  // "/devices//x" has the empty token under an array): all of them mean "not there".
  bool exists = false;
  try {
    exists = doc.contains(parent);
  } catch (const Json::exception&) {
  }
  if (!exists)
    throw InputError(file, pointer_text, "--set: '" + parent.to_string() + "' does not exist in the scenario" + pointer_hint(doc, parent));
  Json& target = doc.at(parent);
  const std::string last = ptr.back();
  if (target.is_object()) {
    target[last] = std::move(value);  // new keys are allowed here; strict parsing then judges them
  } else if (target.is_array()) {
    if (last == "-") {
      target.push_back(std::move(value));
      return;
    }
    size_t index = 0;
    bool numeric = !last.empty() && last.find_first_not_of("0123456789") == std::string::npos && last.size() < 10;
    if (numeric) index = static_cast<size_t>(std::stoul(last));
    if (!numeric || index > target.size())
      throw InputError(file, pointer_text,
                       "--set: index '" + last + "' out of range (array of " + std::to_string(target.size()) + ")");
    if (index == target.size()) target.push_back(std::move(value));
    else target[index] = std::move(value);
  } else {
    throw InputError(file, pointer_text, "--set: '" + parent.to_string() + "' is not an object or array");
  }
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  Json doc = read_json_file(path);
  for (const auto& o : overrides) apply_override(doc, o, path);
  return scenario_from_json(doc, path);
}

namespace {

// What a scenario's missing model could have meant: a path relative to the scenario's folder, or,
// when it was written as a bare name (resolved to the scenario's folder, no extension), a zoo name.
std::string missing_model_hint(const Scenario& s) {
  const fs::path path(s.model_path);
  const std::string name = path.filename().string();
  if (path.parent_path() == fs::path(s.file).parent_path() && model::is_bare_model_name(name))
    return " (neither a file in the scenario's folder nor a zoo model" + model::zoo_hint(name) + ")";
  return " (a path relative to the scenario's folder)";
}

}  // namespace

model::ModelGraph load_scenario_model(const Scenario& s) {
  // A model file that is not there is the scenario's error, reported at its /model with the path
  // it resolved to; errors inside the model file name that file.
  std::error_code ec;
  if (!fs::exists(s.model_path, ec))
    throw InputError(s.file, "/model", "model file '" + s.model_path + "' does not exist" + missing_model_hint(s));
  model::ModelGraph g = model::load_model(s.model_path);
  if (s.model_until.empty()) return g;
  std::vector<std::string> names;
  for (const auto& l : g.layers) names.push_back(l.name);
  auto last = g.find(s.model_until);
  if (!last) {
    std::string hint = closest_match(s.model_until, names);
    throw InputError(s.file, "/model_until", "no layer '" + s.model_until + "' in model '" + g.name + "'" +
                                                 (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  if (auto problem = model::prefix_problem(g, *last)) throw InputError(s.file, "/model_until", *problem);
  return model::model_prefix(g, *last);
}

}  // namespace edgepart::scenario
