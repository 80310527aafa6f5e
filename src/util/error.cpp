#include "edgepart/util/error.hpp"

namespace edgepart {

InputError::InputError(std::string file, std::string where, std::string message)
    : std::runtime_error(compose(file, where, message)),
      file_(std::move(file)),
      where_(std::move(where)),
      message_(std::move(message)) {}

std::string InputError::compose(const std::string& file, const std::string& where,
                                const std::string& message) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!where.empty()) out += where + ": ";
  return out + message;
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
