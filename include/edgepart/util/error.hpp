#pragma once
// Errors of edgepart. The library throws; only cli/main.cpp catches and picks the exit code
// (docs/design.md §8): InputError -> 2 (the user's input is wrong), anything else -> 1 (our bug).
#include <stdexcept>
#include <string>

namespace edgepart {

// The user's input is wrong. `where` is a JSON pointer ("/layers/3/kernel"), "line L, column C",
// or a node description ("node 'conv3' (Conv)"); `file` may be empty when not known yet and is
// added as the error rises (with_file).
class InputError : public std::runtime_error {
public:
  InputError(std::string file, std::string where, std::string message);

  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }

  // The same error, with the file set when it was not known where the error was raised.
  InputError with_file(const std::string& file) const;

private:
  static std::string compose(const std::string& file, const std::string& where,
                             const std::string& message);
  std::string file_;
  std::string where_;
  std::string message_;
};

// An invariant of ours failed: a bug in edgepart, never the user's input.
class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace edgepart

#define EDGEPART_ASSERT(cond, msg)                                              \
  do {                                                                          \
    if (!(cond)) ::edgepart::assertion_failed(#cond, __FILE__, __LINE__, (msg)); \
  } while (false)
