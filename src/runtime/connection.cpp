#include "connection.hpp"

#include <chrono>
#include <ctime>

#include "edgepart/util/error.hpp"

namespace edgepart::runtime {

Connection::Connection(tcp::socket socket, std::string name) : socket_(std::move(socket)), name_(std::move(name)) {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);  // small notices must not wait for Nagle
}

void Connection::start(MaxFrame max_frame, OnMessage on_message, OnClose on_close) {
  max_frame_ = std::move(max_frame);
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
  read_header();
}

void Connection::read_header() {
  auto self = shared_from_this();
  asio::async_read(socket_, asio::buffer(header_), [this, self](boost::system::error_code ec, size_t) {
    if (closed_) return;
    if (ec) return close(ec == asio::error::eof ? "connection closed by " + name_ : "reading from " + name_ + ": " + ec.message());
    try {
      read_payload(decode_header(header_, max_frame_()));
    } catch (const ProtocolError& e) {
      fail(std::string("refused a frame from ") + name_ + ": " + e.what());
    }
  });
}

void Connection::read_payload(FrameHeader h) {
  payload_.resize(h.payload_bytes);
  auto self = shared_from_this();
  asio::async_read(socket_, asio::buffer(payload_), [this, self, h](boost::system::error_code ec, size_t) {
    if (closed_) return;
    if (ec) return close("reading from " + name_ + ": " + (ec == asio::error::eof ? std::string("truncated frame") : ec.message()));
    Message m;
    try {
      m = decode_payload(h.type, payload_);
    } catch (const ProtocolError& e) {
      return fail(std::string("refused a frame from ") + name_ + ": " + e.what());
    }
    std::vector<uint8_t>().swap(payload_);  // do not keep a large buffer between frames
    on_message_(std::move(m));
    if (!closed_ && !closing_) read_header();
  });
}

void Connection::send(std::vector<uint8_t> frame, std::function<void()> on_begin, std::function<void()> on_written) {
  if (closed_) return;
  queue_.push_back(Out{std::move(frame), std::move(on_begin), std::move(on_written)});
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (queue_.empty() || closed_) {
    writing_ = false;
    if (closing_ && !closed_) close(close_why_);
    return;
  }
  writing_ = true;
  if (queue_.front().on_begin) queue_.front().on_begin();
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(queue_.front().frame), [this, self](boost::system::error_code ec, size_t) {
    if (closed_) return;
    if (ec) return close("writing to " + name_ + ": " + ec.message());
    Out done = std::move(queue_.front());
    queue_.pop_front();
    if (done.on_written) done.on_written();
    write_next();
  });
}

void Connection::fail(const std::string& why) {
  if (closed_ || closing_) return;
  closing_ = true;
  close_why_ = why;
  queue_.push_back(Out{encode(Error{UINT64_MAX, why}), {}, {}});
  if (!writing_) write_next();
}

void Connection::close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  if (on_close_) {
    OnClose cb = std::move(on_close_);
    cb(why);
  }
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::pair<std::string, uint16_t> split_host_port(const std::string& text, const std::string& what) {
  auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (host.empty() || !digits || std::stoul(port) > 65535)
    throw InputError("", what, "expected HOST:PORT with a port 0..65535 (got '" + text + "')");
  return {host, static_cast<uint16_t>(std::stoul(port))};
}

}  // namespace edgepart::runtime
