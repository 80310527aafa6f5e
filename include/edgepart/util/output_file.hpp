#pragma once
// Writing results safely (DESIGN §8, STYLE §4.2): never over a file the user gave as input, and
// never a half-written file: the text goes to a temporary file in the same folder, then rename().
#include <string>
#include <vector>

namespace edgepart {

// Writes `content` to `path` ("-" = stdout). Throws InputError when `path` is one of `inputs`
// (same file, however spelled) or cannot be written.
void write_output(const std::string& path, const std::string& content, const std::vector<std::string>& inputs);

// True when both paths name the same existing file (or the same normalised path).
bool same_file(const std::string& a, const std::string& b);

}  // namespace edgepart
