#pragma once
// Strict reading of JSON input (docs/design.md §9, STYLE §4.3). Every accessor names the file and the JSON
// pointer when the input is wrong: missing keys, wrong types, unknown keys (with a "did you mean"
// hint), out-of-range values. Never operator[] on input: a missing key must be an error, not null.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgepart {

using Json = nlohmann::json;

struct JsonLimits {
  // Larger inputs are refused before parsing (a model or scenario is kilobytes; 256 MiB leaves
  // room for generated sweeps while keeping memory bounded).
  size_t max_file_bytes = size_t{256} << 20;
  // More than this many arrays/objects open at once is refused: no edgepart format nests more
  // than ~6 levels.
  int max_depth = 64;
};

// Parses `text` (comments allowed); a syntax error, nesting deeper than limits.max_depth and a
// key repeated in one object become InputError(file, "line L, column C", ...).
Json parse_json_text(const std::string& text, const std::string& file, const JsonLimits& limits = {});
// Reads and parses a file; a missing or unreadable file is an InputError naming it.
Json read_json_file(const std::string& path, const JsonLimits& limits = {});
// Reads a whole file as bytes (InputError when missing, unreadable or over max_bytes).
std::string read_text_file(const std::string& path, size_t max_bytes = size_t{256} << 20);

// A position in a parsed document: the value, the file it came from and its JSON pointer.
class JsonCursor {
public:
  JsonCursor(const Json& value, std::string file, Json::json_pointer pointer = Json::json_pointer());

  const Json& value() const { return *value_; }
  const std::string& file() const { return file_; }
  // The pointer as text; "/" for the document root.
  std::string pointer() const;
  const Json::json_pointer& json_pointer() const { return pointer_; }

  [[noreturn]] void fail(const std::string& message) const;
  // Short description of the value for messages: `"abc"`, `3.5`, `an object`, ...
  std::string describe() const;

  // Objects.
  void expect_object() const;
  bool has(std::string_view key) const;
  JsonCursor at(std::string_view key) const;  // required key
  std::optional<JsonCursor> find(std::string_view key) const;
  std::vector<std::string> keys() const;
  // Every key must be in `allowed`; otherwise "unknown key 'x'; did you mean 'y'?".
  void no_unknown_keys(const std::vector<std::string>& allowed) const;

  // Arrays.
  void expect_array() const;
  size_t size() const;
  JsonCursor at(size_t index) const;
  std::vector<JsonCursor> elements() const;

  // Scalars. Integers may be written 3 or 3.0, never 3.5.
  int64_t as_int() const;
  int64_t as_int_in(int64_t min, int64_t max) const;
  int64_t as_positive_int() const { return as_int_in(1, INT64_MAX); }
  double as_number() const;  // finite
  double as_number_in(double min, double max) const;
  double as_positive_number() const;
  bool as_bool() const;
  std::string as_string() const;
  // A string that must be one of `choices` ("must be one of a, b, c").
  std::string as_choice(const std::vector<std::string>& choices) const;

  // Optional keys with defaults (the key may be absent; when present it is checked as above).
  int64_t int_or(std::string_view key, int64_t fallback) const;
  double number_or(std::string_view key, double fallback) const;
  bool bool_or(std::string_view key, bool fallback) const;
  std::string string_or(std::string_view key, const std::string& fallback) const;

private:
  std::string type_name() const;
  const Json* value_;
  std::string file_;
  Json::json_pointer pointer_;
};

}  // namespace edgepart
