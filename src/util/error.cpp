#include "edgepart/util/error.hpp"

#include <cstdio>

namespace edgepart {

InputError::InputError(std::string file, std::string where, std::string message)
    : std::runtime_error(compose(file, where, message)),
      file_(std::move(file)),
      where_(std::move(where)),
      message_(std::move(message)) {}

namespace {

// Errors are one line (DESIGN §8) even when they quote the user's text: a layer name or key with
// a newline or another control character would otherwise split the line or move the cursor.
std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string InputError::compose(const std::string& file, const std::string& where,
                                const std::string& message) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!where.empty()) out += where + ": ";
  return one_line(out + message);
}

InputError InputError::with_file(const std::string& file) const {
  if (!file_.empty()) return *this;
  return InputError(file, where_, message_);
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& msg) {
  throw InternalError(std::string(file) + ":" + std::to_string(line) + ": assertion '" + expr +
                      "' failed: " + msg);
}

}  // namespace edgepart
