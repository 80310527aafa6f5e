#pragma once
// One TCP connection speaking the runtime protocol over Boost.Asio: a read loop that decodes
// frames (bounded by a maximum the owner gives, which may grow once the peer authenticated), and
// a write queue (one frame on the wire at a time, in order). Private to the runtime module.
#include <utility>  // Boost 1.74 Asio uses std::exchange without including it (C++20)

#include <boost/asio.hpp>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "edgepart/runtime/protocol.hpp"

namespace edgepart::runtime {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
public:
  using OnMessage = std::function<void(Message&&)>;
  using OnClose = std::function<void(const std::string& why)>;
  using MaxFrame = std::function<uint64_t()>;

  Connection(tcp::socket socket, std::string name);
  // Starts reading; `on_message` gets every decoded message, `on_close` runs once when the
  // connection ends (peer closed, I/O error, a bad frame: then an Error is sent back first).
  void start(MaxFrame max_frame, OnMessage on_message, OnClose on_close);
  // Queues a frame. `on_begin` runs when its write starts, `on_written` when it is written.
  void send(std::vector<uint8_t> frame, std::function<void()> on_begin = {}, std::function<void()> on_written = {});
  void send(const Message& m) { send(encode(m)); }
  // Sends an Error frame, then closes (on_close gets `why`).
  void fail(const std::string& why);
  void close(const std::string& why);
  bool is_open() const { return !closed_; }
  const std::string& name() const { return name_; }

private:
  void read_header();
  void read_payload(FrameHeader h);
  void write_next();

  tcp::socket socket_;
  std::string name_;
  MaxFrame max_frame_;
  OnMessage on_message_;
  OnClose on_close_;
  std::array<uint8_t, kFrameHeaderBytes> header_{};
  std::vector<uint8_t> payload_;
  struct Out {
    std::vector<uint8_t> frame;
    std::function<void()> on_begin, on_written;
  };
  std::deque<Out> queue_;
  bool writing_ = false;
  bool closed_ = false;
  bool closing_ = false;  // fail(): close once the Error is written
  std::string close_why_;
};

// Steady-clock nanoseconds (CLOCK_MONOTONIC on Linux: shared by the processes of one machine).
int64_t steady_now_ns();
// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), ns.
int64_t thread_cpu_ns();

// "HOST:PORT" -> (host, port); InputError naming `what` when malformed.
std::pair<std::string, uint16_t> split_host_port(const std::string& text, const std::string& what);

}  // namespace edgepart::runtime
