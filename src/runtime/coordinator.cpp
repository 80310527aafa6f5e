#include "edgepart/runtime/coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>

#include "connection.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/rng.hpp"
#include "program.hpp"

namespace edgepart::runtime {

namespace {

// Error messages from a worker: at most this much (a worker's message is one line).
constexpr uint64_t kMaxErrorFrameBytes = 64 * 1024;
// Clock-offset pings per worker; the one with the shortest round trip is kept (Cristian, 1989).
constexpr int kClockPings = 5;
// Shipping a model file's weights extends the setup deadline by their bytes at this rate
// (10 MB/s: 80 Mbit/s, about what a Wi-Fi 4 link or 100 Mbit/s Ethernet delivers): VGG-16's
// 528 MB to one worker then adds 53 s.
constexpr double kWeightsFloorBytesPerS = 10e6;
// How often a wait wakes up to look at RunConfig::interrupted.
constexpr auto kPollInterval = std::chrono::milliseconds(50);

int64_t elements(const model::Shape& s) { return s.c * s.h * s.w; }

struct Worker {
  int device = -1;
  std::string name, address;
  std::shared_ptr<Connection> conn;
  bool connected = false, hello = false, setup = false, dead = false;
  std::string why;  // why it is dead
  std::vector<std::pair<int64_t, int64_t>> pings;  // (round trip, offset) in ns
  int64_t offset_ns = 0;
  std::optional<std::pair<int64_t, int>> tile;  // the pull task it is computing (request, task)
};

struct Live {
  int64_t id = 0;
  uint32_t variant = 0;
  double arrival_s = 0;
  std::set<int> waiting;   // participants that have not sent Done
  int64_t output_ns = -1;  // coordinator clock
  std::unique_ptr<asio::steady_timer> timer;
};

struct SpanKey {
  int64_t request;
  int task;
  int leg = 0;  // pull tasks: 1 input transfer, 2 output transfer
  auto operator<=>(const SpanKey&) const = default;
};
struct Endpoint {
  int device = -1;
  int64_t start = 0, end = 0;
};

class Coordinator {
public:
  Coordinator(const scenario::Scenario& s, const model::ModelGraph& g, const cost::ModelAnalysis& a,
              const plan::Plan& p, const RunConfig& c)
      : sc_(s), g_(g), a_(a), plan_(p), cfg_(c), variant_(plan::planning_point(p, scenario::make_cluster(s)).variant),
        program_(build_program(p, variant_, p.source, g, a)) {}

  RunOutcome run() {
    const int64_t setup_start = steady_now_ns();
    connect_all();
    out_.setup_s = static_cast<double>(steady_now_ns() - setup_start) * 1e-9;
    run_workload();
    return finish();
  }

private:
  // --- waiting --------------------------------------------------------------------------------

  template <class Done>
  void pump_until(Done done, double timeout_s, const std::string& what) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!done()) {
      if (cfg_.interrupted && cfg_.interrupted()) throw RunInterrupted("interrupted");
      if (std::chrono::steady_clock::now() > deadline)
        throw RunSetupError("timed out after " + std::to_string(timeout_s) + " s " + what);
      if (io_.stopped()) io_.restart();
      io_.run_one_for(kPollInterval);
    }
  }

  void setup_fail_if_dead() {
    for (auto& w : workers_)
      if (w.dead) throw RunSetupError("worker " + w.name + " (" + w.address + "): " + w.why);
  }

  // --- setup ----------------------------------------------------------------------------------

  uint64_t worker_max_frame(const std::vector<uint8_t>& largest_setup) const {
    // The largest frame a worker receives: its setup, the model input (Start), or the largest
    // transfer's piece (Data); each tensor message is its floats plus fixed fields.
    uint64_t m = largest_setup.size();
    auto tensor_frame = [](int64_t n) { return static_cast<uint64_t>(n) * 4 + kTensorMessageOverheadBytes; };
    m = std::max(m, tensor_frame(elements(a_.input)));
    for (const auto& v : plan_.variants)
      for (const auto& t : v.tasks)
        if (t.kind == plan::TaskKind::transfer) m = std::max(m, tensor_frame(box_of(t.data).elements()));
    return std::max(m, kMaxHelloFrameBytes);
  }

  // The Weights frame of a layer (0 for a layer without parameters): header, layer, three
  // float vectors with their counts (protocol.cpp's encoding).
  uint64_t weights_frame_bytes(model::LayerIndex layer) const {
    const exec::LayerParams& p = cfg_.weights->at(static_cast<size_t>(layer));
    size_t floats = p.weight.size() + p.bias.size() + p.scale.size();
    return floats == 0 ? 0 : kFrameHeaderBytes + 4 + 3 * 8 + 4 * floats;
  }

  // Encoded when sent, one layer at a time: VGG-16's weights are 528 MB.
  void send_weights(Worker& w, model::LayerIndex layer) {
    const exec::LayerParams& p = cfg_.weights->at(static_cast<size_t>(layer));
    w.conn->send(Weights{static_cast<int32_t>(layer), p.weight, p.bias, p.scale});
  }

  void connect_all() {
    const size_t n = plan_.devices.size();
    if (cfg_.workers.size() != n)
      throw InputError("", "--workers", "the plan has " + std::to_string(n) + " devices but " +
                                            std::to_string(cfg_.workers.size()) + " worker address(es) were given");
    workers_.resize(n);
    for (size_t d = 0; d < n; ++d) {
      Worker& w = workers_[d];
      w.device = static_cast<int>(d);
      w.name = plan_.devices[d];
      w.address = cfg_.workers[d];
      auto [host, port] = split_host_port(w.address, "--workers");
      auto resolver = std::make_shared<tcp::resolver>(io_);
      resolver->async_resolve(host, std::to_string(port), [this, d, resolver](boost::system::error_code ec,
                                                                              tcp::resolver::results_type rs) {
        if (ec) return mark_dead(workers_[d], "cannot resolve: " + ec.message());
        auto sock = std::make_shared<tcp::socket>(io_);
        asio::async_connect(*sock, rs, [this, d, sock](boost::system::error_code ec2, const tcp::endpoint&) {
          Worker& wk = workers_[d];
          if (ec2) return mark_dead(wk, "cannot connect: " + ec2.message());
          wk.conn = std::make_shared<Connection>(std::move(*sock), "worker " + wk.name);
          wk.conn->start([this] { return max_from_worker_; }, [this, d](Message&& m) { on_message(workers_[d], std::move(m)); },
                        [this, d](const std::string& why) { mark_dead(workers_[d], why); });
          wk.connected = true;
        });
      });
    }
    auto all = [this](bool Worker::*flag) {
      return [this, flag] {
        for (auto& w : workers_)
          if (w.dead) return true;
        return std::all_of(workers_.begin(), workers_.end(), [flag](const Worker& w) { return w.*flag; });
      };
    };
    pump_until(all(&Worker::connected), cfg_.setup_timeout_s, "connecting to the workers");
    setup_fail_if_dead();

    std::vector<std::vector<uint8_t>> setups;
    const std::string model_text = model::model_to_json_text(g_);
    const std::string plan_text = plan::plan_to_json(plan_).dump();
    size_t largest = 0;
    std::vector<std::vector<model::LayerIndex>> weights_for(n);
    double weight_bytes = 0;
    for (size_t d = 0; d < n; ++d) {
      std::vector<int64_t> delays;
      if (!cfg_.transfer_delay_s.empty())
        for (double s : cfg_.transfer_delay_s.at(d)) delays.push_back(static_cast<int64_t>(s * 1e9));
      if (cfg_.weights)
        for (model::LayerIndex l : computed_layers(plan_, static_cast<int>(d), g_, a_))
          if (uint64_t bytes = weights_frame_bytes(l); bytes > 0) {
            weights_for[d].push_back(l);
            largest = std::max<size_t>(largest, bytes);
            weight_bytes += static_cast<double>(bytes);
          }
      Setup setup{model_text, plan_text, cfg_.seed, static_cast<int32_t>(d), cfg_.workers, delays};
      setup.weight_layers = static_cast<uint32_t>(weights_for[d].size());
      setups.push_back(encode(setup));
      largest = std::max(largest, setups.back().size());
    }
    const uint64_t max_frame = worker_max_frame(setups.front().size() >= largest ? setups.front() : setups.back());
    const model::Shape& out = a_.shapes.back();
    max_from_worker_ = std::max(kMaxErrorFrameBytes, static_cast<uint64_t>(elements(out)) * 4 + kTensorMessageOverheadBytes);
    for (auto& w : workers_) w.conn->send(Hello{Role::coordinator, -1, cfg_.token, std::max<uint64_t>(max_frame, largest)});
    pump_until(all(&Worker::hello), cfg_.setup_timeout_s, "waiting for the workers to accept the token");
    setup_fail_if_dead();
    for (size_t d = 0; d < n; ++d) {
      workers_[d].conn->send(std::move(setups[d]));
      for (model::LayerIndex l : weights_for[d]) send_weights(workers_[d], l);
    }
    pump_until(all(&Worker::setup), cfg_.setup_timeout_s + weight_bytes / kWeightsFloorBytesPerS,
               "waiting for the workers' setup");
    setup_fail_if_dead();
    for (int k = 0; k < kClockPings; ++k) {
      for (auto& w : workers_) w.conn->send(Ping{steady_now_ns()});
      pump_until([this, k] {
        return std::all_of(workers_.begin(), workers_.end(), [k](const Worker& w) { return w.dead || static_cast<int>(w.pings.size()) > k; });
      }, cfg_.setup_timeout_s, "measuring clock offsets");
      setup_fail_if_dead();
    }
    for (auto& w : workers_) {
      auto best = std::min_element(w.pings.begin(), w.pings.end());
      w.offset_ns = cfg_.same_clock ? 0 : best->second;
      out_.clock_offsets_s.push_back(static_cast<double>(best->second) * 1e-9);
    }
    running_ = true;
  }

  void mark_dead(Worker& w, const std::string& why) {
    if (w.dead) return;
    w.dead = true;
    w.why = why;
    if (w.conn) w.conn->close(why);
    if (!running_) return;
    spdlog::warn("worker {} ({}) lost: {}", w.name, w.address, why);
    // Its pull tasks whose output has not reached out_to go back to the queue.
    for (auto it = pull_taker_.begin(); it != pull_taker_.end();) {
      if (it->second != w.device) {
        ++it;
        continue;
      }
      if (live_.count(it->first.first)) {
        spdlog::info("pull task {} of request {} requeued", it->first.second, it->first.first);
        queue_.push_front(it->first);
      }
      it = pull_taker_.erase(it);
    }
    w.tile.reset();
    std::vector<int64_t> hit;
    for (auto& [id, live] : live_)
      if (live.waiting.count(w.device)) hit.push_back(id);
    for (int64_t id : hit) fail(id, "worker " + w.name + " lost: " + why);
    dispatch();
  }

  void on_message(Worker& w, Message&& m) {
    ++messages_;
    std::visit([&](auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, HelloOk>) w.hello = true;
      else if constexpr (std::is_same_v<T, SetupOk>) w.setup = true;
      else if constexpr (std::is_same_v<T, Pong>) {
        int64_t now = steady_now_ns();
        w.pings.emplace_back(now - v.echo_ns, v.clock_ns - (v.echo_ns + now) / 2);
      } else if constexpr (std::is_same_v<T, Report>) on_report(w, v);
      else if constexpr (std::is_same_v<T, Done>) on_done(w, std::move(v));
      else if constexpr (std::is_same_v<T, Error>) {
        if (v.request == UINT64_MAX) mark_dead(w, v.message);
        else fail(static_cast<int64_t>(v.request), v.message);
      } else w.conn->fail(std::string("unexpected ") + message_name(type_of(m)) + " message from a worker");
    }, m);
  }

  // --- workload -------------------------------------------------------------------------------

  double now_s() const { return static_cast<double>(steady_now_ns() - t0_ns_) * 1e-9; }

  void run_workload() {
    total_ = cfg_.requests >= 0 ? cfg_.requests : sc_.workload.requests;
    out_.result.requests.resize(static_cast<size_t>(total_));
    participants_ = participants(plan_, variant_);
    t0_ns_ = steady_now_ns();
    const auto& wl = sc_.workload;
    if (wl.arrival == scenario::Arrival::closed) {
      for (int64_t c = 0; c < std::min(wl.concurrency, total_); ++c) issue(0.0);
    } else {
      // Open loop: arrival times drawn up front, as the simulator does (same stream name).
      RngStream arrivals(cfg_.seed, "workload/arrivals/" + plan_.devices[static_cast<size_t>(plan_.source)]);
      double t = 0;
      for (int64_t k = 0; k < total_; ++k) {
        if (k > 0) t = wl.arrival == scenario::Arrival::periodic ? static_cast<double>(k) * wl.period_s
                                                                 : t + arrivals.exponential(1.0 / wl.rate_rps);
        auto timer = std::make_shared<asio::steady_timer>(io_);
        timer->expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t0_ns_)) +
                          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(t)));
        timer->async_wait([this, timer, t](boost::system::error_code ec) {
          if (!ec) issue(t);
        });
      }
    }
    // Every request ends by itself (done, failed or timed out); the bound below only guards
    // against a bug in that accounting.
    const double bound_s = cfg_.request_timeout_s * static_cast<double>(std::max<int64_t>(total_, 1)) + 60;
    pump_until([this] { return accounted_ == total_; }, bound_s, "running the workload");
  }

  void issue(double arrival_s) {
    if (issued_ >= total_) return;
    const int64_t id = issued_++;
    Live live;
    live.id = id;
    live.variant = static_cast<uint32_t>(variant_);
    live.arrival_s = arrival_s;
    for (int d : participants_) {
      if (workers_[static_cast<size_t>(d)].dead) {
        live_.emplace(id, std::move(live));
        return fail(id, "worker " + workers_[static_cast<size_t>(d)].name + " is lost");
      }
      live.waiting.insert(d);
    }
    live.timer = std::make_unique<asio::steady_timer>(io_);
    live.timer->expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(cfg_.request_timeout_s)));
    live.timer->async_wait([this, id](boost::system::error_code ec) {
      if (!ec) fail(id, "not done within " + std::to_string(cfg_.request_timeout_s) + " s (--timeout-s)");
    });
    live_.emplace(id, std::move(live));
    for (int d : participants_) {
      Start s{static_cast<uint64_t>(id), static_cast<uint32_t>(variant_), id == 0, d == plan_.source, {}};
      if (s.has_input) {
        exec::Tensor in = exec::Executor::random_input(g_.input, request_input_seed(cfg_.seed, id));
        s.input = WireTensor{in.c, in.h, in.w, in.data};
        if (id == 0) out_.first_input = std::move(in);
      }
      workers_[static_cast<size_t>(d)].conn->send(s);
    }
    for (const plan::Task& t : plan_.variants[variant_].tasks)
      if (t.kind == plan::TaskKind::compute && t.dispatch == plan::Dispatch::pull) queue_.emplace_back(id, t.id);
    dispatch();
    spdlog::debug("request {} issued at {:.6f} s", id, arrival_s);
  }

  // Pull tasks (FTP, FDSP): the queue's head goes to an idle live device of its pool; its in_from
  // forwards the input there. One pull task per device at a time (a device computes one thing).
  void dispatch() {
    for (auto it = queue_.begin(); it != queue_.end();) {
      auto [id, task] = *it;
      if (!live_.count(id)) {
        it = queue_.erase(it);
        continue;
      }
      const plan::Task& t = plan_.variants[variant_].tasks[static_cast<size_t>(task)];
      Worker* taker = nullptr;
      for (int d : t.pool_devices) {
        Worker& w = workers_[static_cast<size_t>(d)];
        if (!w.dead && !w.tile) {
          taker = &w;
          break;
        }
      }
      if (!taker) {
        ++it;
        continue;
      }
      taker->tile = *it;
      pull_taker_[*it] = taker->device;
      taker->conn->send(Assign{static_cast<uint64_t>(id), static_cast<uint32_t>(variant_), task});
      workers_[static_cast<size_t>(t.in_from)].conn->send(
          Forward{static_cast<uint64_t>(id), static_cast<uint32_t>(variant_), task, taker->device});
      it = queue_.erase(it);
    }
  }

  void on_report(Worker& w, const Report& r) {
    auto id = static_cast<int64_t>(r.request);
    if (r.task < 0 || static_cast<size_t>(r.task) >= plan_.variants[variant_].tasks.size())
      return w.conn->fail("a report names task " + std::to_string(r.task));
    if (r.kind == SpanKind::task && w.tile && *w.tile == std::make_pair(id, r.task)) {
      w.tile.reset();
      dispatch();
    }
    // A pull task is safe once its output is at out_to (received there, or computed there).
    const plan::Task& info = plan_.variants[variant_].tasks.at(static_cast<size_t>(r.task));
    if (info.dispatch == plan::Dispatch::pull &&
        ((r.kind == SpanKind::receive && r.leg == 2) || (r.kind == SpanKind::task && w.device == info.out_to)))
      pull_taker_.erase({id, r.task});
    if (!live_.count(id)) return;  // a request that already failed
    int64_t start = r.start_ns - w.offset_ns - t0_ns_, end = r.end_ns - w.offset_ns - t0_ns_;
    SpanKey key{id, r.task, r.leg};
    switch (r.kind) {
      case SpanKind::task: tasks_[key] = MeasuredTask{id, r.task, w.device, start * 1e-9, end * 1e-9, r.work_ns * 1e-9, r.work_cpu_ns * 1e-9}; break;
      case SpanKind::send: sends_[key] = Endpoint{w.device, start, end}; break;
      case SpanKind::receive: receives_[key] = Endpoint{w.device, start, end}; break;
    }
  }

  void on_done(Worker& w, Done&& d) {
    auto id = static_cast<int64_t>(d.request);
    auto it = live_.find(id);
    if (it == live_.end()) return;
    Live& live = it->second;
    live.waiting.erase(w.device);
    out_.notices += static_cast<int64_t>(d.notices_sent);
    if (w.device == plan_.source) {
      live.output_ns = d.output_ns < 0 ? -1 : d.output_ns - w.offset_ns;
      if (d.has_output) {
        exec::Tensor t(d.output.c, d.output.h, d.output.w);
        t.data = std::move(d.output.values);
        out_.first_output = std::move(t);
      }
    }
    if (!live.waiting.empty()) return;
    if (live.output_ns < 0) return fail(id, "every task finished but the model output never reached the source");
    finish_request(id, static_cast<double>(live.output_ns - t0_ns_) * 1e-9, false);
  }

  void fail(int64_t id, const std::string& why) {
    auto it = live_.find(id);
    if (it == live_.end()) return;
    spdlog::warn("request {} failed: {}", id, why);
    if (out_.failures.size() < 20) out_.failures.push_back("request " + std::to_string(id) + ": " + why);
    for (Worker& w : workers_) {  // every worker: pull takers hold state for it too
      if (!w.dead && w.conn) w.conn->send(Cancel{static_cast<uint64_t>(id)});
      if (w.tile && w.tile->first == id) w.tile.reset();
    }
    finish_request(id, now_s(), true);
    dispatch();
  }

  void finish_request(int64_t id, double done_s, bool failed) {
    auto it = live_.find(id);
    sim::RequestRecord& rec = out_.result.requests[static_cast<size_t>(id)];
    rec.id = id;
    rec.source = plan_.source;
    rec.variant = static_cast<int>(variant_);
    rec.arrival_s = it->second.arrival_s;
    rec.done_s = std::max(done_s, rec.arrival_s);
    rec.failed = failed;
    if (it->second.timer) it->second.timer->cancel();
    live_.erase(it);
    ++accounted_;
    spdlog::info("request {} {} after {:.6f} s", id, failed ? "failed" : "done", rec.latency_s());
    if (sc_.workload.arrival == scenario::Arrival::closed) issue(rec.done_s);
  }

  // --- results --------------------------------------------------------------------------------

  // A pull task's input (leg 1) or output (leg 2) box.
  Box pull_box(const plan::Task& t, int leg) const {
    return leg == 1 ? program_.tasks[static_cast<size_t>(t.id)].in_box : program_.tasks[static_cast<size_t>(t.id)].out_box;
  }

  RunOutcome finish() {
    out_.variant = variant_;
    running_ = false;  // closing the connections is not losing workers
    for (auto& w : workers_)
      if (w.conn) w.conn->close("run finished");
    io_.restart();
    io_.poll();
    const plan::Variant& v = plan_.variants[variant_];
    sim::SimResult& r = out_.result;
    r.devices.assign(plan_.devices.size(), sim::DeviceUsage{});
    std::set<int64_t> failed;
    for (const auto& rec : r.requests)
      if (rec.failed) failed.insert(rec.id);
    std::map<std::pair<int, int>, sim::LinkTraffic> links;
    double end_s = 0;
    for (auto& [key, t] : tasks_) {
      if (failed.count(key.request)) continue;
      const plan::Task& info = v.tasks[static_cast<size_t>(t.task)];
      sim::DeviceUsage& u = r.devices[static_cast<size_t>(t.device)];
      u.busy_s += t.end_s - t.start_s;
      u.peak_memory_bytes = std::max(u.peak_memory_bytes, info.memory_bytes);
      ++u.tasks;
      ++r.stats.tasks;
      end_s = std::max(end_s, t.end_s);
      out_.tasks.push_back(t);
    }
    for (auto& [key, se] : sends_) {
      auto rv = receives_.find(key);
      if (failed.count(key.request) || rv == receives_.end()) continue;
      const plan::Task& info = v.tasks[static_cast<size_t>(key.task)];
      const Box box = key.leg == 0 ? box_of(info.data)
                                   : pull_box(info, key.leg);
      MeasuredTransfer m{key.request, key.task, se.device, rv->second.device,
                         static_cast<double>(box.elements()) * 4.0,  // float32 on the wire
                         static_cast<double>(se.start) * 1e-9, static_cast<double>(rv->second.end) * 1e-9};
      r.devices[static_cast<size_t>(m.from)].tx_s += m.end_s - m.start_s;
      auto& l = links[{m.from, m.to}];
      l.from = m.from;
      l.to = m.to;
      l.bytes += m.bytes;
      ++l.transfers;
      ++r.stats.tasks;
      end_s = std::max(end_s, m.end_s);
      out_.transfers.push_back(m);
    }
    for (auto& [k, l] : links) r.links.push_back(l);
    for (const auto& rec : r.requests) end_s = std::max(end_s, rec.done_s);
    r.stats.end_s = end_s;
    r.stats.events = messages_;
    return std::move(out_);
  }

  const scenario::Scenario& sc_;
  const model::ModelGraph& g_;
  const cost::ModelAnalysis& a_;
  const plan::Plan& plan_;
  const RunConfig& cfg_;
  size_t variant_;
  Program program_;  // the source's view: pull tasks' boxes
  asio::io_context io_;
  std::vector<Worker> workers_;
  uint64_t max_from_worker_ = kMaxHelloFrameBytes;
  bool running_ = false;
  std::vector<int> participants_;
  int64_t t0_ns_ = 0, total_ = 0, issued_ = 0, accounted_ = 0, messages_ = 0;
  std::map<int64_t, Live> live_;
  std::map<SpanKey, MeasuredTask> tasks_;
  std::map<SpanKey, Endpoint> sends_, receives_;
  std::deque<std::pair<int64_t, int>> queue_;  // pull tasks waiting for a device (request, task)
  std::map<std::pair<int64_t, int>, int> pull_taker_;  // pull tasks assigned, output not yet at out_to
  RunOutcome out_;
};

}  // namespace

uint64_t request_input_seed(uint64_t seed, int64_t request) {
  return RngStream(seed, "run/input/" + std::to_string(request)).next_u64();
}

void check_runnable(const plan::Plan& plan, const model::ModelGraph& graph, const cost::ModelAnalysis& analysis) {
  if (plan.model_hash != graph.content_hash())
    throw InputError("<plan>", "/model/hash", "the plan was made for model '" + plan.model_name + "', not " + graph.name);
  for (size_t v = 0; v < plan.variants.size(); ++v)
    for (size_t d = 0; d < plan.devices.size(); ++d) build_program(plan, v, static_cast<int>(d), graph, analysis);
}

RunOutcome run_plan(const scenario::Scenario& scenario, const model::ModelGraph& graph,
                    const cost::ModelAnalysis& analysis, const plan::Plan& plan, const RunConfig& config) {
  check_runnable(plan, graph, analysis);
  return Coordinator(scenario, graph, analysis, plan, config).run();
}

}  // namespace edgepart::runtime
