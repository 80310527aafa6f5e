#include "edgepart/runtime/worker.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "connection.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/executor.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/util/error.hpp"
#include "program.hpp"
#include "quantize.hpp"
#include "tensor_store.hpp"

namespace edgepart::runtime {

namespace {

// The largest frame a coordinator may announce: 4 GiB, far above any plan's largest transfer
// (VGG-16's biggest activation is 12.8 MB) yet small enough that a garbled Hello cannot make a
// worker accept an absurd allocation.
constexpr uint64_t kMaxAnnouncedFrameBytes = uint64_t{1} << 32;

struct RequestState {
  RequestState(uint64_t id_, uint32_t variant_, const Program& p, const cost::ModelAnalysis& a)
      : id(id_), variant(variant_), prog(&p), store(a) {
    deps_left.resize(p.tasks.size());
    for (size_t i = 0; i < p.tasks.size(); ++i) deps_left[i] = p.tasks[i].deps;
    known.assign(p.tasks.size(), 0);
    pending = p.involved;
  }
  uint64_t id;
  uint32_t variant;
  const Program* prog;
  bool started = false, want_output = false;
  // Written on the network strand, read by computations on the compute strand too.
  std::atomic<bool> dead = false;
  std::vector<int> deps_left;
  std::vector<uint8_t> known;
  std::vector<int> deferred;  // ready before the Start message arrived
  std::set<int> assigned;     // pull tasks given to this device whose input is not all here yet
  std::set<int> unclaimed;    // pull tasks whose input arrived before their Assign
  std::vector<std::pair<int, int>> forwards;  // (pull task, taker) whose input is not all here yet
  std::set<int> provided;     // pull tasks whose input this device (in_from) has forwarded once
  int pending = 0;
  int computing = 0;          // computations posted and not yet completed
  TensorStore store;
  int64_t output_ns = -1;
  uint64_t notices = 0;
};

struct Session {
  std::shared_ptr<Connection> coordinator;
  uint64_t max_frame_bytes = kMaxHelloFrameBytes;
  bool ready = false;
  std::unique_ptr<model::ModelGraph> graph;
  std::unique_ptr<cost::ModelAnalysis> analysis;
  std::unique_ptr<exec::Executor> executor;  // built when the setup (and its weights) are in
  uint64_t weight_seed = 1;
  uint32_t weights_expected = 0;             // Weights frames still to come
  std::vector<exec::LayerParams> given;      // real weights by layer, until the executor is built
  plan::Plan plan;
  int device = -1;
  std::vector<std::string> peer_addresses;
  std::vector<int64_t> delay_ns;  // per destination device, before each transfer
  std::vector<Program> programs;
  std::map<int, std::shared_ptr<Connection>> peers;  // outgoing, by device
  int peers_connecting = 0;
  std::map<uint64_t, std::shared_ptr<RequestState>> requests;
  std::set<uint64_t> finished;  // done, failed or cancelled: later messages are ignored
};

}  // namespace

class WorkerServer::Impl {
public:
  Impl(const std::string& host, uint16_t port, std::string token)
      : net_(asio::make_strand(io_)), compute_(asio::make_strand(io_)), acceptor_(net_), token_(std::move(token)), signals_(net_) {
    EDGEPART_ASSERT(!token_.empty(), "a worker needs a token");
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) throw InputError("", "--listen", "'" + host + "' is not an IP address: " + ec.message());
    tcp::endpoint ep(addr, port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep, ec);
    if (ec) throw InputError("", "--listen", "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    acceptor_.listen();
    work_guard_.emplace(io_.get_executor());
    second_thread_ = std::thread([this] { io_.run(); });
  }
  ~Impl() {
    work_guard_.reset();
    io_.stop();
    if (second_thread_.joinable()) second_thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void run(bool handle_signals) {
    if (handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](boost::system::error_code ec, int) {
        if (!ec) shut_down();
      });
    }
    accept();
    io_.run();
  }
  void stop() { asio::post(net_, [this] { shut_down(); }); }

private:
  void shut_down() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    end_session("the worker is stopping");
    for (auto& c : incoming_) c->close("the worker is stopping");
    incoming_.clear();
    io_.stop();
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      boost::system::error_code e2;
      auto remote = socket.remote_endpoint(e2);
      std::string name = e2 ? "a client" : remote.address().to_string() + ":" + std::to_string(remote.port());
      auto conn = std::make_shared<Connection>(std::move(socket), name);
      auto authed = std::make_shared<std::optional<Role>>();
      std::weak_ptr<Connection> weak = conn;
      conn->start(
          [this, authed] { return authed->has_value() && session_ ? session_->max_frame_bytes : kMaxHelloFrameBytes; },
          [this, weak, authed](Message&& m) {
            if (auto c = weak.lock()) on_message(c, *authed, std::move(m));
          },
          [this, weak, authed](const std::string& why) {
            auto c = weak.lock();
            if (*authed == Role::coordinator && session_ && session_->coordinator == c) {
              spdlog::info("coordinator gone: {}", why);
              end_session(why);
            }
            std::erase(incoming_, c);
          });
      incoming_.push_back(conn);
      accept();
    });
  }

  void on_message(const std::shared_ptr<Connection>& c, std::optional<Role>& role, Message&& m) {
    if (!role) return on_hello(c, role, std::move(m));
    if (*role == Role::peer) {
      if (auto* d = std::get_if<Data>(&m)) return on_data(std::move(*d));
      if (auto* q = std::get_if<QuantizedData>(&m)) return on_quantized_data(std::move(*q));
      if (auto* n = std::get_if<Notice>(&m)) return on_notice(*n);
      if (auto* e = std::get_if<Error>(&m)) return spdlog::warn("peer {}: {}", c->name(), e->message);
      return c->fail(std::string("unexpected ") + message_name(type_of(m)) + " message from a peer");
    }
    if (!session_ || session_->coordinator != c) return c->fail("this coordinator's session has ended");
    if (auto* s = std::get_if<Setup>(&m)) return on_setup(std::move(*s));
    if (auto* p = std::get_if<Ping>(&m)) return c->send(Pong{p->clock_ns, steady_now_ns()});
    if (auto* st = std::get_if<Start>(&m)) return on_start(std::move(*st));
    if (auto* x = std::get_if<Cancel>(&m)) return cancel(x->request);
    if (auto* a = std::get_if<Assign>(&m)) return on_assign(*a);
    if (auto* f = std::get_if<Forward>(&m)) return on_forward(*f);
    if (auto* wt = std::get_if<Weights>(&m)) return on_weights(std::move(*wt));
    if (std::holds_alternative<Shutdown>(m)) return c->close("shutdown requested");
    c->fail(std::string("unexpected ") + message_name(type_of(m)) + " message from the coordinator");
  }

  void on_hello(const std::shared_ptr<Connection>& c, std::optional<Role>& role, Message&& m) {
    auto* h = std::get_if<Hello>(&m);
    if (!h) return c->fail(std::string("expected hello, got ") + message_name(type_of(m)));
    if (!constant_time_equal(h->token, token_)) {
      spdlog::warn("refused {}: wrong token", c->name());
      return c->fail("refused: wrong token");
    }
    if (h->role == Role::peer) {
      role = Role::peer;
      return;
    }
    if (session_ && session_->coordinator && session_->coordinator->is_open())
      return c->fail("refused: this worker already serves a coordinator");
    if (h->max_frame_bytes < kMaxHelloFrameBytes || h->max_frame_bytes > kMaxAnnouncedFrameBytes)
      return c->fail("refused: a maximum frame of " + std::to_string(h->max_frame_bytes) + " bytes is outside " +
                     std::to_string(kMaxHelloFrameBytes) + ".." + std::to_string(kMaxAnnouncedFrameBytes));
    role = Role::coordinator;
    end_session("a new coordinator connected");
    session_ = std::make_shared<Session>();
    session_->coordinator = c;
    session_->max_frame_bytes = h->max_frame_bytes;
    spdlog::info("coordinator {} connected", c->name());
    c->send(HelloOk{steady_now_ns()});
  }

  void end_session(const std::string& why) {
    if (!session_) return;
    for (auto& [d, p] : session_->peers) p->close(why);
    for (auto& [id, st] : session_->requests) st->dead = true;
    if (session_->coordinator) session_->coordinator->close(why);
    session_.reset();
  }

  void on_setup(Setup s) {
    auto ses = session_;
    try {
      std::vector<InputError> errors;
      model::ModelGraph g = model::model_from_json(Json::parse(s.model_json), "<setup model>", errors);
      if (!errors.empty()) throw errors.front();
      ses->graph = std::make_unique<model::ModelGraph>(std::move(g));
      ses->analysis = std::make_unique<cost::ModelAnalysis>(cost::analyze(*ses->graph));
      ses->plan = plan::plan_from_json(Json::parse(s.plan_json), "<setup plan>");
      plan::validate_plan(ses->plan, "<setup plan>");
      if (ses->plan.model_hash != ses->graph->content_hash())
        throw InputError("<setup plan>", "/model/hash", "the plan was made for another model");
      if (s.device < 0 || static_cast<size_t>(s.device) >= ses->plan.devices.size() ||
          s.peers.size() != ses->plan.devices.size())
        throw InputError("<setup>", "/device", "device " + std::to_string(s.device) + " and " +
                                                   std::to_string(s.peers.size()) + " peer address(es) for a plan of " +
                                                   std::to_string(ses->plan.devices.size()) + " devices");
      ses->device = s.device;
      ses->peer_addresses = s.peers;
      if (!s.delay_ns.empty() && s.delay_ns.size() != s.peers.size())
        throw InputError("<setup>", "/delay", "one delay per device is needed");
      ses->delay_ns = s.delay_ns;
      for (size_t v = 0; v < ses->plan.variants.size(); ++v)
        ses->programs.push_back(build_program(ses->plan, v, s.device, *ses->graph, *ses->analysis));
      ses->weight_seed = s.weight_seed;
      ses->weights_expected = s.weight_layers;
      if (s.weight_layers > ses->graph->size())
        throw InputError("<setup>", "/weight_layers", std::to_string(s.weight_layers) + " layers of weights for a model of " +
                                                          std::to_string(ses->graph->size()) + " layers");
      if (s.weight_layers > 0) return ses->given.resize(ses->graph->size());  // the rest when the weights are in
      ses->executor = std::make_unique<exec::Executor>(*ses->graph, *ses->analysis, s.weight_seed);
    } catch (const std::exception& e) {
      return ses->coordinator->fail(std::string("setup failed: ") + e.what());
    }
    connect_peers(ses);
  }

  // One layer's real weights (after a Setup that announced them).
  void on_weights(Weights w) {
    auto ses = session_;
    try {
      if (!ses->graph || ses->weights_expected == 0 || ses->executor)
        throw ProtocolError("a weights frame that no setup announced");
      if (w.layer < 0 || static_cast<size_t>(w.layer) >= ses->graph->size())
        throw ProtocolError("weights for layer " + std::to_string(w.layer) + " of a model of " +
                            std::to_string(ses->graph->size()) + " layers");
      exec::LayerParams& slot = ses->given[static_cast<size_t>(w.layer)];
      if (!slot.weight.empty() || !slot.scale.empty()) throw ProtocolError("weights for layer " + std::to_string(w.layer) + " twice");
      slot = exec::LayerParams{std::move(w.weight), std::move(w.bias), std::move(w.scale)};
      if (std::string why = exec::params_misfit(*ses->graph, *ses->analysis, w.layer, slot); !why.empty())
        throw ProtocolError(why);
      if (--ses->weights_expected > 0) return;
      ses->executor = std::make_unique<exec::Executor>(*ses->graph, *ses->analysis, ses->weight_seed, std::move(ses->given));
    } catch (const std::exception& e) {
      return ses->coordinator->fail(std::string("setup failed: ") + e.what());
    }
    connect_peers(ses);
  }

  void connect_peers(const std::shared_ptr<Session>& ses) {
    std::set<int> targets;
    for (const auto& p : ses->programs) targets.insert(p.send_to.begin(), p.send_to.end());
    targets.erase(ses->device);
    ses->peers_connecting = static_cast<int>(targets.size());
    spdlog::info("setup: device {} ({}), {} peer(s) to connect", ses->device, ses->plan.devices[static_cast<size_t>(ses->device)],
                 targets.size());
    if (targets.empty()) return setup_done(ses);
    for (int d : targets) connect_peer(ses, d);
  }

  void connect_peer(const std::shared_ptr<Session>& ses, int device) {
    std::string addr = ses->peer_addresses[static_cast<size_t>(device)];
    std::string name = ses->plan.devices[static_cast<size_t>(device)] + " (" + addr + ")";
    std::pair<std::string, uint16_t> hp;
    try {
      hp = split_host_port(addr, "peer address");
    } catch (const std::exception& e) {
      return ses->coordinator->fail(std::string("setup failed: ") + e.what());
    }
    auto resolver = std::make_shared<tcp::resolver>(net_);
    resolver->async_resolve(hp.first, std::to_string(hp.second), [this, ses, device, name, resolver](
                                                                      boost::system::error_code ec, tcp::resolver::results_type rs) {
      if (session_ != ses) return;
      if (ec) return ses->coordinator->fail("setup failed: cannot resolve peer " + name + ": " + ec.message());
      auto sock = std::make_shared<tcp::socket>(net_);
      asio::async_connect(*sock, rs, [this, ses, device, name, sock](boost::system::error_code ec2, const tcp::endpoint&) {
        if (session_ != ses) return;
        if (ec2) return ses->coordinator->fail("setup failed: cannot connect to peer " + name + ": " + ec2.message());
        auto conn = std::make_shared<Connection>(std::move(*sock), "peer " + name);
        conn->start([] { return kMaxHelloFrameBytes; },
                    [name](Message&& m) {
                      if (auto* e = std::get_if<Error>(&m)) spdlog::warn("peer {}: {}", name, e->message);
                    },
                    [name](const std::string& why) { spdlog::info("peer {} closed: {}", name, why); });
        conn->send(Hello{Role::peer, ses->device, token_, 0});
        ses->peers[device] = conn;
        if (--ses->peers_connecting == 0) setup_done(ses);
      });
    });
  }

  void setup_done(const std::shared_ptr<Session>& ses) {
    ses->ready = true;
    ses->coordinator->send(SetupOk{});
  }

  // --- requests -------------------------------------------------------------------------------

  std::shared_ptr<RequestState> state_for(uint64_t request, uint32_t variant) {
    auto ses = session_;
    if (!ses || !ses->ready || ses->finished.count(request)) return nullptr;
    auto it = ses->requests.find(request);
    if (it != ses->requests.end()) {
      if (it->second->variant != variant) {
        request_error(it->second, "messages of request " + std::to_string(request) + " name two variants");
        return nullptr;
      }
      return it->second;
    }
    if (variant >= ses->programs.size()) {
      ses->coordinator->fail("request " + std::to_string(request) + " names variant " + std::to_string(variant) +
                             " of a plan with " + std::to_string(ses->programs.size()));
      return nullptr;
    }
    auto st = std::make_shared<RequestState>(request, variant, ses->programs[variant], *ses->analysis);
    ses->requests.emplace(request, st);
    return st;
  }

  void on_start(Start s) {
    auto st = state_for(s.request, s.variant);
    if (!st) return;
    st->want_output = s.want_output;
    if (s.has_input) {
      const model::Shape& in = session_->analysis->input;
      if (s.input.c != in.c || s.input.h != in.h || s.input.w != in.w)
        return request_error(st, "the model input has the wrong shape");
      Box all{-1, 0, in.c - 1, 0, in.h - 1, 0, in.w - 1};
      st->store.put(all, s.input.values.data());
      note_output(st);
    }
    st->started = true;
    run_forwards(st);
    run_assigned(st);
    if (st->dead) return;
    std::vector<int> run_now = st->prog->initial;
    run_now.insert(run_now.end(), st->deferred.begin(), st->deferred.end());
    st->deferred.clear();
    for (int t : run_now) {
      if (st->dead) return;
      run_task(st, t);
    }
    maybe_finish(st);
  }

  void cancel(uint64_t request) {
    auto ses = session_;
    ses->finished.insert(request);
    auto it = ses->requests.find(request);
    if (it == ses->requests.end()) return;
    it->second->dead = true;
    ses->requests.erase(it);
  }

  void on_notice(const Notice& n) {
    auto st = state_for(n.request, n.variant);
    if (!st) return;
    if (n.task < 0 || static_cast<size_t>(n.task) >= st->prog->tasks.size())
      return request_error(st, "a notice names task " + std::to_string(n.task));
    make_known(st, n.task);
    maybe_finish(st);
  }

  void on_data(Data d) {
    auto st = state_for(d.request, d.variant);
    if (!st) return;
    const plan::Variant& v = session_->plan.variants[d.variant];
    if (d.task >= 0 && static_cast<size_t>(d.task) < st->prog->tasks.size() && st->prog->tasks[static_cast<size_t>(d.task)].pull)
      return on_pull_data(st, std::move(d));
    if (d.task < 0 || static_cast<size_t>(d.task) >= st->prog->tasks.size() ||
        st->prog->tasks[static_cast<size_t>(d.task)].role != TaskRole::receive)
      return request_error(st, "data for task " + std::to_string(d.task) + ", which this device does not receive");
    const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(d.task)];
    if (!(d.box == tp.box))
      return request_error(st, "transfer '" + v.tasks[static_cast<size_t>(d.task)].name + "' carried " +
                                   box_to_string(d.box) + " instead of " + box_to_string(tp.box));
    st->store.put(d.box, d.values.data());
    int64_t now = steady_now_ns();
    note_output(st);
    session_->coordinator->send(Report{st->id, d.task, SpanKind::receive, 0, now, now, 0, 0});
    complete_here(st, d.task);
    maybe_finish(st);
  }

  // --- pull tasks (FTP, FDSP): the coordinator assigns each to an idle pool device ------------

  void on_assign(const Assign& a) {
    auto st = state_for(a.request, a.variant);
    if (!st) return;
    if (a.task < 0 || static_cast<size_t>(a.task) >= st->prog->tasks.size() || !st->prog->tasks[static_cast<size_t>(a.task)].pull ||
        st->prog->tasks[static_cast<size_t>(a.task)].steps.empty())
      return request_error(st, "assigned task " + std::to_string(a.task) + ", not a pull task this device may take");
    spdlog::debug("request {}: assigned pull task {}", a.request, a.task);
    st->assigned.insert(a.task);
    run_assigned(st);
  }

  void run_assigned(const std::shared_ptr<RequestState>& st) {
    for (auto it = st->assigned.begin(); it != st->assigned.end();) {
      if (!st->store.has(st->prog->tasks[static_cast<size_t>(*it)].in_box)) {
        ++it;
        continue;
      }
      st->unclaimed.erase(*it);
      spdlog::debug("request {}: computing pull task {}", st->id, *it);
      post_compute(st, *it);
      it = st->assigned.erase(it);
    }
  }

  void on_forward(const Forward& f) {
    auto st = state_for(f.request, f.variant);
    if (!st) return;
    if (f.task < 0 || static_cast<size_t>(f.task) >= st->prog->tasks.size() || !st->prog->tasks[static_cast<size_t>(f.task)].provide ||
        f.to < 0 || static_cast<size_t>(f.to) >= session_->plan.devices.size())
      return request_error(st, "asked to forward the input of task " + std::to_string(f.task) + ", which this device does not provide");
    spdlog::debug("request {}: forward the input of pull task {} to device {}", f.request, f.task, f.to);
    st->forwards.emplace_back(f.task, f.to);
    run_forwards(st);
  }

  void run_forwards(const std::shared_ptr<RequestState>& st) {
    std::vector<std::pair<int, int>> waiting;
    for (auto [task, to] : st->forwards) {
      const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(task)];
      if (!st->store.has(tp.in_box)) {
        waiting.emplace_back(task, to);
        continue;
      }
      // This device's part is done once the input is on its way (the frame holds a copy): a taker
      // that dies before receiving it must not keep the request open here. A requeued tile is
      // forwarded again but counted once.
      if (st->provided.insert(task).second) --st->pending;
      if (to == session_->device) continue;
      const int64_t ready = steady_now_ns();
      auto ses = session_;
      const uint64_t id = st->id;
      const auto task_id = task;  // a structured binding cannot be captured (clang 14)
      ses->peers.at(to)->send(encode(Data{st->id, st->variant, task, tp.in_box, st->store.get(tp.in_box)}), {},
                              [this, ses, id, task_id, ready] {
                                if (session_ == ses)
                                  ses->coordinator->send(Report{id, task_id, SpanKind::send, 1, ready, steady_now_ns(), 0, 0});
                              });
    }
    st->forwards = std::move(waiting);
    maybe_finish(st);
  }

  void on_pull_data(const std::shared_ptr<RequestState>& st, Data d) {
    const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(d.task)];
    const int64_t now_ns = steady_now_ns();
    if (d.box == tp.in_box && !tp.steps.empty()) {
      spdlog::debug("request {}: input of pull task {} arrived", st->id, d.task);
      st->store.put(d.box, d.values.data());
      if (!st->assigned.count(d.task)) st->unclaimed.insert(d.task);
      session_->coordinator->send(Report{st->id, d.task, SpanKind::receive, 1, now_ns, now_ns, 0, 0});
      run_assigned(st);
      run_forwards(st);
      return;
    }
    if (d.box == tp.out_box && tp.collect) {
      spdlog::debug("request {}: output of pull task {} arrived", st->id, d.task);
      st->store.put(d.box, d.values.data());
      session_->coordinator->send(Report{st->id, d.task, SpanKind::receive, 2, now_ns, now_ns, 0, 0});
      note_output(st);
      if (!st->known[static_cast<size_t>(d.task)]) complete_here(st, d.task);
      return maybe_finish(st);
    }
    request_error(st, "pull task " + std::to_string(d.task) + " received " + box_to_string(d.box));
  }

  // A pull task's output as sent: float32, or quantised when the plan counts compressed bytes.
  static std::vector<uint8_t> output_frame(const std::shared_ptr<RequestState>& st, int task, const TaskPlan& tp) {
    std::vector<float> values = st->store.get(tp.out_box);
    if (tp.out_bits >= 32) return encode(Data{st->id, st->variant, task, tp.out_box, std::move(values)});
    Quantized q = quantize(values, tp.out_bits);
    return encode(QuantizedData{st->id, st->variant, task, tp.out_box, q.bits, q.lo, q.step, std::move(q.codes)});
  }

  // A compressed pull output arrives: decoded, it is handled as the float32 one would be.
  void on_quantized_data(QuantizedData q) {
    const auto count = static_cast<uint64_t>(q.box.elements());
    Quantized codes{q.bits, q.lo, q.step, std::move(q.codes)};
    on_data(Data{q.request, q.variant, q.task, q.box, dequantize(codes, count)});
  }

  // A pull task computed here: its output goes to out_to (or is done here when this is out_to).
  void pull_computed(const std::shared_ptr<RequestState>& st, int task) {
    const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(task)];
    if (tp.collect) {
      note_output(st);
      if (!st->known[static_cast<size_t>(task)]) complete_here(st, task);
      return maybe_finish(st);
    }
    const int64_t ready = steady_now_ns();
    auto ses = session_;
    ses->peers.at(tp.out_to)->send(output_frame(st, task, tp), {},
                                   [this, ses, st, task, ready] {
                                     if (session_ != ses || st->dead) return;
                                     ses->coordinator->send(Report{st->id, task, SpanKind::send, 2, ready, steady_now_ns(), 0, 0});
                                     forget_if_transient(st);
                                   });
  }

  // A device that only took pull tasks of a request keeps no state for it afterwards, unless it
  // still computes one or the input of its next tile is already here (the source's Data and the
  // coordinator's Assign travel on different connections, so the Data may come first). Only this
  // state is forgotten: a later message of the request may have made a new one, which holds an
  // Assign or an input (erasing that one by id hung the request).
  void forget_if_transient(const std::shared_ptr<RequestState>& st) {
    if (st->started || st->prog->involved > 0 || st->computing > 0 || !st->assigned.empty() || !st->unclaimed.empty()) return;
    auto it = session_->requests.find(st->id);
    if (it == session_->requests.end() || it->second != st) return;
    spdlog::debug("request {}: no state kept (pull tasks only)", st->id);
    session_->requests.erase(it);
  }

  void make_known(const std::shared_ptr<RequestState>& st, int task) {
    if (st->known[static_cast<size_t>(task)]) return;
    st->known[static_cast<size_t>(task)] = 1;
    for (int s : st->prog->tasks[static_cast<size_t>(task)].successors)
      if (--st->deps_left[static_cast<size_t>(s)] == 0) {
        if (st->started) run_task(st, s);
        else st->deferred.push_back(s);
      }
  }

  // The task's completion is known here: its successors may run, its waiters elsewhere are told.
  void complete_here(const std::shared_ptr<RequestState>& st, int task) {
    make_known(st, task);
    for (int dev : st->prog->tasks[static_cast<size_t>(task)].notify) {
      session_->peers.at(dev)->send(Notice{st->id, st->variant, task});
      ++st->notices;
    }
    --st->pending;
  }

  void run_task(const std::shared_ptr<RequestState>& st, int task) {
    if (st->dead) return;
    const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(task)];
    switch (tp.role) {
      case TaskRole::compute: return post_compute(st, task);
      case TaskRole::lookup:  // CCIED's cache lookup: always a miss (no feature cache exists here)
      case TaskRole::local_transfer: {
        int64_t now = steady_now_ns();
        session_->coordinator->send(Report{st->id, task, SpanKind::task, 0, now, now, 0, 0});
        complete_here(st, task);
        return maybe_finish(st);
      }
      case TaskRole::send: return send_piece(st, task);
      case TaskRole::receive:
      case TaskRole::none: EDGEPART_ASSERT(false, "run_task on a task not executed here");
    }
  }

  // A transfer is ready: after the emulated latency (when the network does not apply it), its
  // piece goes out. Its measured start is when it was ready, so the latency is part of it.
  void send_piece(const std::shared_ptr<RequestState>& st, int task) {
    const int64_t ready = steady_now_ns();
    const plan::Task& t = session_->plan.variants[st->variant].tasks[static_cast<size_t>(task)];
    const int64_t delay = session_->delay_ns.empty() ? 0 : session_->delay_ns[static_cast<size_t>(t.to)];
    if (delay <= 0) return write_piece(st, task, ready);
    auto timer = std::make_shared<asio::steady_timer>(net_, std::chrono::nanoseconds(delay));
    auto ses = session_;
    timer->async_wait([this, ses, st, task, ready, timer](boost::system::error_code ec) {
      if (!ec && session_ == ses && !st->dead) write_piece(st, task, ready);
    });
  }

  void write_piece(const std::shared_ptr<RequestState>& st, int task, int64_t ready) {
    const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(task)];
    const plan::Task& t = session_->plan.variants[st->variant].tasks[static_cast<size_t>(task)];
    if (!st->store.has(tp.box))
      return request_error(st, "transfer '" + t.name + "' is ready but " + box_to_string(tp.box) + " is not all here");
    // The transfer starts when it is ready (encoding included: runtime overhead), or when the
    // connection is free if it waits behind another frame to the same peer.
    auto start = std::make_shared<int64_t>(ready);
    auto in_send = std::make_shared<bool>(true);
    std::vector<uint8_t> frame = encode(Data{st->id, st->variant, task, tp.box, st->store.get(tp.box)});
    auto ses = session_;
    ses->peers.at(t.to)->send(
        std::move(frame), [start, in_send] { if (!*in_send) *start = std::max(*start, steady_now_ns()); },
        [this, ses, st, task, start] {
          if (session_ != ses || st->dead) return;
          ses->coordinator->send(Report{st->id, task, SpanKind::send, 0, *start, steady_now_ns(), 0, 0});
          --st->pending;
          maybe_finish(st);
        });
    *in_send = false;
  }

  void post_compute(const std::shared_ptr<RequestState>& st, int task) {
    auto ses = session_;
    ++st->computing;
    asio::post(compute_, [this, ses, st, task] {
      if (st->dead) return;
      const TaskPlan& tp = st->prog->tasks[static_cast<size_t>(task)];
      const plan::Task& t = ses->plan.variants[st->variant].tasks[static_cast<size_t>(task)];
      int64_t start = steady_now_ns(), work = 0, work_cpu = 0;
      std::string error;
      try {
        std::vector<exec::Tensor> outputs(tp.steps.size());  // this task's layer outputs
        for (size_t si = 0; si < tp.steps.size(); ++si) {
          const LayerStep& step = tp.steps[si];
          std::vector<exec::InputView> views;
          for (size_t k = 0; k < step.inputs.size(); ++k) {
            const InputCrop& in = step.inputs[k];
            if (int j = step.local_inputs[k]; j >= 0) {
              // Computed by this task: its tensor holds the producing step's region.
              views.push_back(exec::InputView{&outputs[static_cast<size_t>(j)], tp.steps[static_cast<size_t>(j)].out, in.valid});
              continue;
            }
            Box need{in.tensor, in.c0, in.c1, in.crop.rows.begin, in.crop.rows.end, in.crop.cols.begin, in.crop.cols.end};
            if (!st->store.has(need))
              throw InternalError("task '" + t.name + "' reads " + box_to_string(need) + ", which is not all here");
            // Read in place: the ops read only inside `valid`, from rows the store holds.
            const exec::Tensor& whole = st->store.view(in.tensor);
            views.push_back(exec::InputView{&whole, rf::Region::whole(model::Shape{whole.c, whole.h, whole.w}), in.valid});
          }
          const int64_t w0 = steady_now_ns(), c0 = thread_cpu_ns();
          outputs[si] = ses->executor->compute(step.layer, views, step.out);
          work += steady_now_ns() - w0;
          work_cpu += thread_cpu_ns() - c0;
          const exec::Tensor& out = outputs[si];
          if (step.store) {
            Box ob{step.layer, step.c0, step.c1, step.out.rows.begin, step.out.rows.end, step.out.cols.begin, step.out.cols.end};
            st->store.put(ob, out.data.data() + step.c0 * out.plane_size());
          }
          // Free what no later step of the task reads.
          for (size_t j = 0; j < si; ++j) {
            bool later = false;
            for (size_t n = si + 1; n < tp.steps.size() && !later; ++n)
              for (int li : tp.steps[n].local_inputs) later = later || li == static_cast<int>(j);
            if (!later) outputs[j] = exec::Tensor();
          }
        }
      } catch (const std::exception& e) {
        error = e.what();
      }
      int64_t end = steady_now_ns();
      // Inline on this thread when the network strand is idle: the next task of this device is
      // then posted to the compute strand from within it and starts at once, with no thread
      // wake-up between two tasks (two wake-ups per task cost ~0.1 ms each on this VM).
      asio::dispatch(net_, [this, ses, st, task, start, end, work, work_cpu, error] {
        --st->computing;
        if (session_ != ses || st->dead) return;
        if (!error.empty()) return request_error(st, error);
        ses->coordinator->send(Report{st->id, task, SpanKind::task, 0, start, end, work, work_cpu});
        if (st->prog->tasks[static_cast<size_t>(task)].pull) return pull_computed(st, task);
        note_output(st);
        complete_here(st, task);
        maybe_finish(st);
      });
    });
  }

  // The source notes when the model output is complete (the request's end).
  void note_output(const std::shared_ptr<RequestState>& st) {
    if (st->output_ns >= 0 || session_->device != session_->plan.source) return;
    auto last = static_cast<int>(session_->graph->size()) - 1;
    if (st->store.complete(last)) st->output_ns = steady_now_ns();
  }

  void maybe_finish(const std::shared_ptr<RequestState>& st) {
    if (!st->dead && st->started) spdlog::debug("request {}: {} task(s) pending here", st->id, st->pending);
    if (st->dead || !st->started || st->pending > 0) return;
    auto ses = session_;
    Done d{st->id, st->output_ns, st->notices, false, {}};
    if (st->want_output && st->output_ns >= 0) {
      auto last = static_cast<int>(ses->graph->size()) - 1;
      const model::Shape& s = ses->analysis->shapes.back();
      d.has_output = true;
      d.output = WireTensor{s.c, s.h, s.w, st->store.get(Box{last, 0, s.c - 1, 0, s.h - 1, 0, s.w - 1})};
    }
    st->dead = true;
    ses->requests.erase(st->id);
    ses->finished.insert(st->id);
    ses->coordinator->send(d);
  }

  void request_error(const std::shared_ptr<RequestState>& st, const std::string& why) {
    auto ses = session_;
    spdlog::error("request {}: {}", st->id, why);
    st->dead = true;
    ses->requests.erase(st->id);
    ses->finished.insert(st->id);
    ses->coordinator->send(Error{st->id, ses->plan.devices[static_cast<size_t>(ses->device)] + ": " + why});
  }

  // Two threads run io_. Every handler but the computations runs on the network strand (sockets,
  // timers and the requests' bookkeeping are created on it, so it is the only thread touching
  // them); computations run one at a time on the compute strand (the plan's model of a device)
  // and read the request state only through the thread-safe store.
  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> net_;
  asio::strand<asio::io_context::executor_type> compute_;
  tcp::acceptor acceptor_;
  std::string token_;
  asio::signal_set signals_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_guard_;
  std::thread second_thread_;  // io_ runs on it and on the thread that calls run()
  std::shared_ptr<Session> session_;
  std::vector<std::shared_ptr<Connection>> incoming_;
};

WorkerServer::WorkerServer(const std::string& host, uint16_t port, std::string token)
    : impl_(std::make_unique<Impl>(host, port, std::move(token))) {}
WorkerServer::~WorkerServer() = default;
uint16_t WorkerServer::port() const { return impl_->port(); }
void WorkerServer::run(bool handle_signals) { impl_->run(handle_signals); }
void WorkerServer::stop() { impl_->stop(); }

}  // namespace edgepart::runtime
