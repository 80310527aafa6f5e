#pragma once
// Shared by the libFuzzer harnesses (docs/robustness.md). A harness feeds bytes to a loader the
// way the CLI would; an InputError is the correct answer to bad input (exit 2), so it is swallowed.
// Any other exception is what the CLI reports as "internal error" (exit 1): a bug, so the harness
// aborts and libFuzzer saves the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <unistd.h>

#include "edgepart/util/error.hpp"

namespace edgepart::fuzz {

template <class F>
int run_guarded(F&& body) {
  try {
    body();
  } catch (const InputError&) {
    // The expected outcome for most fuzzed inputs.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgepart fuzz: non-input exception (exit 1 in the CLI): %s\n", e.what());
    std::abort();
  }
  return 0;
}

// A private temporary file holding the fuzz input, for loaders that only take a path (ONNX, trace
// CSV). One per process, rewritten on each run; removed at exit.
class TempFile {
public:
  explicit TempFile(const char* suffix) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/edgepart-fuzz-" + std::to_string(::getpid()) + suffix;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& write(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

}  // namespace edgepart::fuzz
