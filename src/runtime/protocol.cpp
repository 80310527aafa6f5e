#include "edgepart/runtime/protocol.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "quantize.hpp"

namespace edgepart::runtime {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian; so is every host we run on");
static_assert(sizeof(float) == 4);

namespace {

constexpr char kMagic[4] = {'E', 'P', 'R', 'T'};
// Variable-length fields: a count can never exceed what is left in the payload, so no count
// can make the decoder allocate more than the (already bounded) frame holds.

class Writer {
public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v) { raw(&v, 2); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i32(int32_t v) { raw(&v, 4); }
  void i64(int64_t v) { raw(&v, 8); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void floats(const std::vector<float>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(float));
  }
  void f32(float v) { raw(&v, 4); }
  void bytes(const std::vector<uint8_t>& v) {
    u64(v.size());
    raw(v.data(), v.size());
  }
  void raw(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  std::vector<uint8_t>& bytes() { return buf_; }

private:
  std::vector<uint8_t> buf_;
};

class Reader {
public:
  Reader(std::span<const uint8_t> b, const char* what) : b_(b), what_(what) {}
  uint8_t u8() { return take<uint8_t>(); }
  uint16_t u16() { return take<uint16_t>(); }
  uint32_t u32() { return take<uint32_t>(); }
  uint64_t u64() { return take<uint64_t>(); }
  int32_t i32() { return take<int32_t>(); }
  int64_t i64() { return take<int64_t>(); }
  bool flag() {
    uint8_t v = u8();
    if (v > 1) fail("a flag byte is " + std::to_string(v) + ", not 0 or 1");
    return v == 1;
  }
  std::string str() {
    uint64_t n = count(1);
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  float f32() { return take<float>(); }
  std::vector<uint8_t> bytes() {
    uint64_t n = count(1);
    std::vector<uint8_t> v(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return v;
  }
  std::vector<float> floats() {
    uint64_t n = count(sizeof(float));
    std::vector<float> v(n);
    if (n > 0) std::memcpy(v.data(), b_.data() + pos_, n * sizeof(float));  // an empty vector's data() may be null
    pos_ += n * sizeof(float);
    return v;
  }
  void finish() {
    if (pos_ != b_.size())
      fail(std::to_string(b_.size() - pos_) + " trailing byte(s) after the message");
  }
  [[noreturn]] void fail(const std::string& why) const { throw ProtocolError(std::string(what_) + " message: " + why); }

private:
  template <class T>
  T take() {
    if (b_.size() - pos_ < sizeof(T)) fail("truncated (needs " + std::to_string(sizeof(T)) + " more byte(s) at offset " + std::to_string(pos_) + ")");
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  // A count of items of `item_bytes` each that must fit in the rest of the payload.
  uint64_t count(uint64_t item_bytes) {
    uint64_t n = u64();
    uint64_t left = b_.size() - pos_;
    if (n > left / item_bytes)
      fail("a count of " + std::to_string(n) + " exceeds the " + std::to_string(left) + " byte(s) left");
    return n;
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
  const char* what_;
};

// The (request, variant, task) every message about one task of a request starts with.
template <class M>
void put_task_ref(Writer& w, const M& m) {
  w.u64(m.request);
  w.u32(m.variant);
  w.i32(m.task);
}
template <class M>
void get_task_ref(Reader& r, M& m) {
  m.request = r.u64();
  m.variant = r.u32();
  m.task = r.i32();
}

void put_tensor(Writer& w, const WireTensor& t) {
  w.i64(t.c);
  w.i64(t.h);
  w.i64(t.w);
  w.floats(t.values);
}
WireTensor get_tensor(Reader& r) {
  WireTensor t;
  t.c = r.i64();
  t.h = r.i64();
  t.w = r.i64();
  t.values = r.floats();
  constexpr int64_t kMaxSide = int64_t{1} << 31;  // any real tensor side is far smaller
  // The product is checked for overflow: 2^31 cubed wraps to 0 in 64 bits and would "match" an
  // empty payload.
  uint64_t plane = 0, count = 0;
  if (t.c < 0 || t.h < 0 || t.w < 0 || t.c > kMaxSide || t.h > kMaxSide || t.w > kMaxSide ||
      __builtin_mul_overflow(static_cast<uint64_t>(t.c), static_cast<uint64_t>(t.h), &plane) ||
      __builtin_mul_overflow(plane, static_cast<uint64_t>(t.w), &count) || count != t.values.size())
    r.fail("a tensor of " + std::to_string(t.c) + "x" + std::to_string(t.h) + "x" + std::to_string(t.w) + " carries " +
           std::to_string(t.values.size()) + " value(s)");
  return t;
}
void put_box(Writer& w, const Box& b) {
  w.i32(b.tensor);
  for (int64_t v : {b.c0, b.c1, b.r0, b.r1, b.x0, b.x1}) w.i64(v);
}
Box get_box(Reader& r) {
  Box b;
  b.tensor = r.i32();
  b.c0 = r.i64(), b.c1 = r.i64(), b.r0 = r.i64(), b.r1 = r.i64(), b.x0 = r.i64(), b.x1 = r.i64();
  constexpr int64_t kMaxIndex = int64_t{1} << 31;
  for (int64_t v : {b.c0, b.c1, b.r0, b.r1, b.x0, b.x1})
    if (v < -1 || v > kMaxIndex) r.fail("a box bound is out of range (" + std::to_string(v) + ")");
  if (b.tensor < -1) r.fail("a box names tensor " + std::to_string(b.tensor));
  return b;
}

void encode_body(Writer& w, const Message& m) {
  std::visit([&w](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, Hello>) {
      w.u8(static_cast<uint8_t>(v.role));
      w.i32(v.device);
      w.str(v.token);
      w.u64(v.max_frame_bytes);
    } else if constexpr (std::is_same_v<T, HelloOk>) {
      w.i64(v.clock_ns);
    } else if constexpr (std::is_same_v<T, Setup>) {
      w.str(v.model_json);
      w.str(v.plan_json);
      w.u64(v.weight_seed);
      w.i32(v.device);
      w.u64(v.peers.size());
      for (const auto& p : v.peers) w.str(p);
      w.u64(v.delay_ns.size());
      for (int64_t d : v.delay_ns) w.i64(d);
      w.u32(v.weight_layers);
    } else if constexpr (std::is_same_v<T, Ping>) {
      w.i64(v.clock_ns);
    } else if constexpr (std::is_same_v<T, Pong>) {
      w.i64(v.echo_ns);
      w.i64(v.clock_ns);
    } else if constexpr (std::is_same_v<T, Start>) {
      w.u64(v.request);
      w.u32(v.variant);
      w.u8(v.want_output);
      w.u8(v.has_input);
      if (v.has_input) put_tensor(w, v.input);
    } else if constexpr (std::is_same_v<T, Data>) {
      put_task_ref(w, v);
      put_box(w, v.box);
      w.floats(v.values);
    } else if constexpr (std::is_same_v<T, Notice>) {
      put_task_ref(w, v);
    } else if constexpr (std::is_same_v<T, Report>) {
      w.u64(v.request);
      w.i32(v.task);
      w.u8(static_cast<uint8_t>(v.kind));
      w.u8(v.leg);
      w.i64(v.start_ns);
      w.i64(v.end_ns);
      w.i64(v.work_ns);
      w.i64(v.work_cpu_ns);
    } else if constexpr (std::is_same_v<T, Done>) {
      w.u64(v.request);
      w.i64(v.output_ns);
      w.u64(v.notices_sent);
      w.u8(v.has_output);
      if (v.has_output) put_tensor(w, v.output);
    } else if constexpr (std::is_same_v<T, Error>) {
      w.u64(v.request);
      w.str(v.message);
    } else if constexpr (std::is_same_v<T, Cancel>) {
      w.u64(v.request);
    } else if constexpr (std::is_same_v<T, Assign>) {
      put_task_ref(w, v);
    } else if constexpr (std::is_same_v<T, Forward>) {
      put_task_ref(w, v);
      w.i32(v.to);
    } else if constexpr (std::is_same_v<T, QuantizedData>) {
      put_task_ref(w, v);
      put_box(w, v.box);
      w.u8(v.bits);
      w.f32(v.lo);
      w.f32(v.step);
      w.bytes(v.codes);
    } else if constexpr (std::is_same_v<T, Weights>) {
      w.i32(v.layer);
      w.floats(v.weight);
      w.floats(v.bias);
      w.floats(v.scale);
    }
    // SetupOk, Shutdown: empty payloads
  }, m);
}

}  // namespace

int64_t Box::elements() const {
  if (c1 < c0 || r1 < r0 || x1 < x0) return 0;
  // A decoded box may span up to 2^31 per axis, so the product can exceed int64; saturate
  // instead (no real tensor is that large, and the count check against the payload then fails).
  int64_t plane = 0, count = 0;
  if (__builtin_mul_overflow(c1 - c0 + 1, r1 - r0 + 1, &plane) || __builtin_mul_overflow(plane, x1 - x0 + 1, &count))
    return std::numeric_limits<int64_t>::max();
  return count;
}

const char* message_name(MessageType type) {
  switch (type) {
    case MessageType::hello: return "hello";
    case MessageType::hello_ok: return "hello_ok";
    case MessageType::setup: return "setup";
    case MessageType::setup_ok: return "setup_ok";
    case MessageType::ping: return "ping";
    case MessageType::pong: return "pong";
    case MessageType::start: return "start";
    case MessageType::data: return "data";
    case MessageType::notice: return "notice";
    case MessageType::report: return "report";
    case MessageType::done: return "done";
    case MessageType::error: return "error";
    case MessageType::cancel: return "cancel";
    case MessageType::shutdown: return "shutdown";
    case MessageType::assign: return "assign";
    case MessageType::forward: return "forward";
    case MessageType::weights: return "weights";
    case MessageType::quantized_data: return "quantized_data";
  }
  return "unknown";
}

MessageType type_of(const Message& m) {
  // The variant's alternatives are in MessageType order, starting at 1.
  return static_cast<MessageType>(m.index() + 1);
}

std::vector<uint8_t> encode(const Message& m) {
  Writer w;
  w.raw(kMagic, 4);
  w.u16(kProtocolVersion);
  w.u16(static_cast<uint16_t>(type_of(m)));
  w.u64(0);  // payload length, patched below
  encode_body(w, m);
  uint64_t payload = w.bytes().size() - kFrameHeaderBytes;
  std::memcpy(w.bytes().data() + 8, &payload, 8);
  return std::move(w.bytes());
}

FrameHeader decode_header(std::span<const uint8_t> bytes, uint64_t max_frame_bytes) {
  if (bytes.size() < kFrameHeaderBytes)
    throw ProtocolError("truncated frame header (" + std::to_string(bytes.size()) + " of " +
                        std::to_string(kFrameHeaderBytes) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) throw ProtocolError("not an edgepart runtime frame (bad magic)");
  uint16_t version = 0, type = 0;
  uint64_t length = 0;
  std::memcpy(&version, bytes.data() + 4, 2);
  std::memcpy(&type, bytes.data() + 6, 2);
  std::memcpy(&length, bytes.data() + 8, 8);
  if (version != kProtocolVersion)
    throw ProtocolError("protocol version " + std::to_string(version) + " (this build speaks " +
                        std::to_string(kProtocolVersion) + ")");
  if (type < static_cast<uint16_t>(MessageType::hello) || type > static_cast<uint16_t>(MessageType::quantized_data))
    throw ProtocolError("unknown message type " + std::to_string(type));
  if (length > max_frame_bytes - std::min<uint64_t>(max_frame_bytes, kFrameHeaderBytes))
    throw ProtocolError("a " + std::string(message_name(static_cast<MessageType>(type))) + " frame of " +
                        std::to_string(length) + " payload bytes exceeds the maximum of " +
                        std::to_string(max_frame_bytes) + " bytes this connection allows");
  return FrameHeader{static_cast<MessageType>(type), length};
}

Message decode_payload(MessageType type, std::span<const uint8_t> payload) {
  Reader r(payload, message_name(type));
  Message m;
  switch (type) {
    case MessageType::hello: {
      Hello v;
      uint8_t role = r.u8();
      if (role > 1) r.fail("role " + std::to_string(role));
      v.role = static_cast<Role>(role);
      v.device = r.i32();
      v.token = r.str();
      v.max_frame_bytes = r.u64();
      m = v;
      break;
    }
    case MessageType::hello_ok: m = HelloOk{r.i64()}; break;
    case MessageType::setup: {
      Setup v;
      v.model_json = r.str();
      v.plan_json = r.str();
      v.weight_seed = r.u64();
      v.device = r.i32();
      uint64_t n = r.u64();
      if (n > payload.size() / 8) r.fail("a peer count of " + std::to_string(n) + " exceeds the payload");
      for (uint64_t i = 0; i < n; ++i) v.peers.push_back(r.str());
      uint64_t k = r.u64();
      if (k > payload.size() / 8) r.fail("a delay count of " + std::to_string(k) + " exceeds the payload");
      for (uint64_t i = 0; i < k; ++i) {
        v.delay_ns.push_back(r.i64());
        if (v.delay_ns.back() < 0) r.fail("a negative delay");
      }
      v.weight_layers = r.u32();
      m = v;
      break;
    }
    case MessageType::setup_ok: m = SetupOk{}; break;
    case MessageType::ping: m = Ping{r.i64()}; break;
    case MessageType::pong: {
      Pong v;
      v.echo_ns = r.i64();
      v.clock_ns = r.i64();
      m = v;
      break;
    }
    case MessageType::start: {
      Start v;
      v.request = r.u64();
      v.variant = r.u32();
      v.want_output = r.flag();
      v.has_input = r.flag();
      if (v.has_input) v.input = get_tensor(r);
      m = std::move(v);
      break;
    }
    case MessageType::data: {
      Data v;
      get_task_ref(r, v);
      v.box = get_box(r);
      v.values = r.floats();
      if (static_cast<uint64_t>(v.box.elements()) != v.values.size())
        r.fail("a box of " + std::to_string(v.box.elements()) + " element(s) carries " + std::to_string(v.values.size()) +
               " value(s)");
      m = std::move(v);
      break;
    }
    case MessageType::notice: {
      Notice v;
      get_task_ref(r, v);
      m = v;
      break;
    }
    case MessageType::report: {
      Report v;
      v.request = r.u64();
      v.task = r.i32();
      uint8_t kind = r.u8();
      if (kind > 2) r.fail("span kind " + std::to_string(kind));
      v.kind = static_cast<SpanKind>(kind);
      v.leg = r.u8();
      if (v.leg > 2) r.fail("leg " + std::to_string(v.leg));
      v.start_ns = r.i64();
      v.end_ns = r.i64();
      v.work_ns = r.i64();
      v.work_cpu_ns = r.i64();
      m = v;
      break;
    }
    case MessageType::done: {
      Done v;
      v.request = r.u64();
      v.output_ns = r.i64();
      v.notices_sent = r.u64();
      v.has_output = r.flag();
      if (v.has_output) v.output = get_tensor(r);
      m = std::move(v);
      break;
    }
    case MessageType::error: {
      Error v;
      v.request = r.u64();
      v.message = r.str();
      m = std::move(v);
      break;
    }
    case MessageType::cancel: m = Cancel{r.u64()}; break;
    case MessageType::shutdown: m = Shutdown{}; break;
    case MessageType::assign: {
      Assign v;
      get_task_ref(r, v);
      m = v;
      break;
    }
    case MessageType::forward: {
      Forward v;
      get_task_ref(r, v);
      v.to = r.i32();
      m = v;
      break;
    }
    case MessageType::quantized_data: {
      QuantizedData v;
      get_task_ref(r, v);
      v.box = get_box(r);
      v.bits = r.u8();
      v.lo = r.f32();
      v.step = r.f32();
      v.codes = r.bytes();
      if (v.bits < 1 || v.bits > 31) r.fail("quantised to " + std::to_string(v.bits) + " bits (1 to 31)");
      if (!std::isfinite(v.lo) || !std::isfinite(v.step) || v.step < 0)
        r.fail("a quantisation offset or step that is not a finite number >= 0");
      // elements() saturates at INT64_MAX; the first test keeps packed_bytes from overflowing.
      const auto count = static_cast<uint64_t>(v.box.elements());
      if (count / 8 > v.codes.size() || packed_bytes(count, v.bits) != v.codes.size())
        r.fail("a box of " + std::to_string(count) + " element(s) at " + std::to_string(v.bits) + " bits carries " +
               std::to_string(v.codes.size()) + " byte(s) of codes");
      m = std::move(v);
      break;
    }
    case MessageType::weights: {
      Weights v;
      v.layer = r.i32();
      v.weight = r.floats();
      v.bias = r.floats();
      v.scale = r.floats();
      m = v;
      break;
    }
  }
  r.finish();
  return m;
}

Message decode_frame(std::span<const uint8_t> frame, uint64_t max_frame_bytes) {
  FrameHeader h = decode_header(frame, max_frame_bytes);
  if (frame.size() - kFrameHeaderBytes != h.payload_bytes)
    throw ProtocolError("a " + std::string(message_name(h.type)) + " frame announces " + std::to_string(h.payload_bytes) +
                        " payload bytes but holds " + std::to_string(frame.size() - kFrameHeaderBytes));
  return decode_payload(h.type, frame.subspan(kFrameHeaderBytes));
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Every byte of the longer string is looked at, whatever the contents; the lengths are
  // compared without branching on where the strings first differ.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace edgepart::runtime
