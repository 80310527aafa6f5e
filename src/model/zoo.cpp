#include "edgepart/model/zoo.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "edgepart/util/strings.hpp"

namespace edgepart::model {

namespace fs = std::filesystem;

std::vector<std::string> zoo_dirs() {
  std::vector<std::string> dirs;
  if (const char* home = std::getenv("EDGEPART_HOME")) dirs.push_back((fs::path(home) / "models").string());
  dirs.push_back("models");
#ifdef EDGEPART_SOURCE_DIR
  dirs.push_back((fs::path(EDGEPART_SOURCE_DIR) / "models").string());
#endif
  return dirs;
}

bool is_bare_model_name(const std::string& text) {
  return !text.empty() && text.find('/') == std::string::npos && !fs::path(text).has_extension();
}

std::string find_zoo_model(const std::string& name, const std::string& ext) {
  std::error_code ec;
  for (const auto& dir : zoo_dirs()) {
    fs::path candidate = fs::path(dir) / (name + ext);
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

std::string find_zoo_model(const std::string& name) {
  std::string path = find_zoo_model(name, ".json");
  return path.empty() ? find_zoo_model(name, ".onnx") : path;
}

std::string zoo_hint(const std::string& name) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& dir : zoo_dirs())
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json" || e.path().extension() == ".onnx") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  const std::string hint = closest_match(name, names);
  return (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") + " (edgepart list models shows the zoo)";
}

}  // namespace edgepart::model
