#include "edgepart/util/json_read.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "edgepart/util/error.hpp"
#include "edgepart/util/input_file.hpp"
#include "edgepart/util/json_checks.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart {

namespace {

// nlohmann's parse_error text is "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error while parsing ..."; split it into location and message.
InputError syntax_error(const std::string& file, const Json::parse_error& e) {
  std::string text = e.what();
  const std::string marker = "parse error at ";
  auto at = text.find(marker);
  if (at == std::string::npos) return InputError(file, "", "invalid JSON: " + text);
  std::string rest = text.substr(at + marker.size());
  auto colon = rest.find(": ");
  std::string where = rest.substr(0, colon);
  std::string message = colon == std::string::npos ? "syntax error" : rest.substr(colon + 2);
  return InputError(file, where, "invalid JSON: " + message);
}

std::string line_column(size_t line, size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// A number literal beyond double's range (1e400) is not a parse_error in nlohmann but
// out_of_range 406, "number overflow parsing '1e400'", without a position: find the literal in
// the text for the line and column (its first occurrence, which is the one in all but contrived
// files).
InputError number_overflow(const std::string& text, const std::string& file, const Json::out_of_range& e) {
  std::string what = e.what();
  auto open = what.find('\'');
  auto close = what.rfind('\'');
  std::string literal = open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
  std::string where;
  if (auto at = literal.empty() ? std::string::npos : text.find(literal); at != std::string::npos) {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at; ++i)
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    where = line_column(line, at - line_start + 1);
  }
  // The literal may be hundreds of digits long (1e309 written out): quote its start and its length.
  return InputError(file, where, "invalid JSON: number " + shortened(literal) + " is out of range");
}

// The text of a key as written between its quotes, with its escapes decoded (only keys that have
// one are decoded: most have none). Malformed escapes are left as written for the parser to report.
std::string decoded_key(const std::string& raw) {
  if (raw.find('\\') == std::string::npos) return raw;
  const Json v = Json::parse("\"" + raw + "\"", nullptr, /*allow_exceptions=*/false);
  return v.is_string() ? v.get<std::string>() : raw;
}

// nlohmann takes a NUL byte for the end of the input, so a document that parsed may have had
// bytes after one, silently ignored: refused at the NUL. (Text that does not parse is reported
// by the parser, as before.)
void refuse_nul(const std::string& text, const std::string& file) {
  const size_t nul = text.find('\0');
  if (nul == std::string::npos) return;
  const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
  const size_t newline = text.rfind('\n', nul);
  const size_t line_start = newline == std::string::npos ? 0 : newline + 1;
  throw InputError(file, line_column(line, nul - line_start + 1), "a NUL byte (JSON text cannot contain one)");
}

// One pass over the raw text before parsing, for the two things nlohmann's parser does not refuse:
// nesting deeper than limits.max_depth (anything that walks the document recursively could
// exhaust the stack) and duplicate keys in one object (nlohmann silently keeps the last one, so a
// model with "kernel" twice would load with whichever came last). Both are reported at the line
// and column of the offending bracket or key, 1-based in bytes like nlohmann's syntax errors.
// Strings and comments (which parse_json_text allows) are skipped, so brackets and colons inside
// them do not count. Malformed text is left to the parser, which reports it precisely.
void scan_structure(const std::string& text, const std::string& file, const JsonLimits& limits) {
  struct Frame {
    bool object;
    std::set<std::string> keys;
  };
  std::vector<Frame> stack;
  size_t line = 1, column = 0;
  // The last string seen and where it started; it is a key when the next token is ':'.
  std::optional<std::string> candidate;
  size_t candidate_line = 0, candidate_column = 0;
  const size_t n = text.size();
  auto advance = [&](size_t i) {
    if (text[i] == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
  };
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    advance(i);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '/' && i + 1 < n && (text[i + 1] == '/' || text[i + 1] == '*')) {
      const bool block = text[i + 1] == '*';
      advance(++i);
      const size_t opened = i;  // the '*' of "/*" must not also close the comment ("/*/")
      while (i + 1 < n) {
        if (!block && text[i + 1] == '\n') break;
        advance(++i);
        if (block && text[i] == '/' && text[i - 1] == '*' && i - 1 > opened) break;
      }
      continue;
    }
    if (c == '"') {
      size_t start_line = line, start_column = column;
      std::string raw;
      while (i + 1 < n) {
        advance(++i);
        if (text[i] == '\\' && i + 1 < n) {
          raw += text[i];
          advance(++i);
          raw += text[i];
          continue;
        }
        if (text[i] == '"') break;
        raw += text[i];
      }
      candidate = std::move(raw);
      candidate_line = start_line;
      candidate_column = start_column;
      continue;
    }
    if (c == ':' && candidate && !stack.empty() && stack.back().object) {
      // Compared as decoded text: "a" and "\u0061" are the same key to nlohmann.
      const std::string key = decoded_key(*candidate);
      if (!stack.back().keys.insert(key).second)
        throw InputError(file, line_column(candidate_line, candidate_column), "duplicate key '" + key + "' in one object");
    }
    candidate.reset();
    if (c == '[' || c == '{') {
      stack.push_back(Frame{c == '{', {}});
      if (stack.size() > static_cast<size_t>(limits.max_depth))
        throw InputError(file, line_column(line, column),
                         "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels (limit)");
    } else if ((c == ']' || c == '}') && !stack.empty()) {
      stack.pop_back();
    }
  }
}

}  // namespace

Json parse_json_text(const std::string& text, const std::string& file, const JsonLimits& limits) {
  scan_structure(text, file, limits);
  try {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    refuse_nul(text, file);
    return doc;
  } catch (const Json::parse_error& e) {
    throw syntax_error(file, e);
  } catch (const Json::out_of_range& e) {
    throw number_overflow(text, file, e);
  }
}

std::optional<Json> parse_json_if_json(const std::string& text, const std::string& file, const std::string& where,
                                       const JsonLimits& limits) {
  try {
    scan_structure(text, file, limits);
  } catch (const InputError& e) {
    throw InputError(file, where.empty() ? e.where() : where, e.message());
  }
  Json v = Json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

std::string read_text_file(const std::string& path, size_t max_bytes) {
  const InputFd in = open_regular_file(path);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(in.get(), buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(path, "", std::string("cannot read: ") + std::strerror(errno));
    }
    if (got == 0) break;
    data.append(buf, static_cast<size_t>(got));
    if (data.size() > max_bytes)
      throw InputError(path, "", "file larger than " + std::to_string(max_bytes) + " bytes (limit)");
  }
  return data;
}

Json read_json_file(const std::string& path, const JsonLimits& limits) {
  return parse_json_text(read_text_file(path, limits.max_file_bytes), path, limits);
}

JsonCursor::JsonCursor(const Json& value, std::string file, Json::json_pointer pointer)
    : value_(&value), file_(std::move(file)), pointer_(std::move(pointer)) {}

std::string JsonCursor::pointer() const {
  std::string p = pointer_.to_string();
  return p.empty() ? "/" : p;
}

void JsonCursor::fail(const std::string& message) const { throw InputError(file_, pointer(), message); }

std::string JsonCursor::type_name() const {
  switch (value_->type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

std::string JsonCursor::describe() const {
  if (value_->is_object()) return "an object";
  if (value_->is_array()) return "an array of " + std::to_string(value_->size());
  std::string text = value_->dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

void JsonCursor::expect_object() const {
  if (!value_->is_object()) fail("expected an object (got " + describe() + ")");
}
void JsonCursor::expect_array() const {
  if (!value_->is_array()) fail("expected an array (got " + describe() + ")");
}

bool JsonCursor::has(std::string_view key) const {
  expect_object();
  return value_->contains(key);
}

std::optional<JsonCursor> JsonCursor::find(std::string_view key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return JsonCursor(*it, file_, pointer_ / std::string(key));
}

JsonCursor JsonCursor::at(std::string_view key) const {
  auto found = find(key);
  if (!found) fail("missing required key '" + std::string(key) + "'");
  return *found;
}

std::vector<std::string> JsonCursor::keys() const {
  expect_object();
  std::vector<std::string> out;
  for (const auto& item : value_->items()) out.push_back(item.key());
  return out;
}

namespace {

// What each edgepart file format holds, for "this is a model, not a scenario".
std::string format_noun(std::string_view format) {
  if (format == "edgepart.model") return "a model";
  if (format == "edgepart.scenario") return "a scenario";
  if (format == "edgepart.plan") return "a plan";
  if (format == "edgepart.report") return "a report";
  if (format == "edgepart.profile") return "a profile";
  return "";
}

}  // namespace

void expect_format(const JsonCursor& root, std::string_view format) {
  root.expect_object();
  const JsonCursor given = root.at("format");
  const std::string got = given.as_string();
  if (got == format) return;
  const std::string got_noun = format_noun(got), wanted_noun = format_noun(format);
  std::string why;
  if (!got_noun.empty() && !wanted_noun.empty()) why = ": this file is " + got_noun + ", not " + wanted_noun;
  given.fail("expected \"" + std::string(format) + "\" (got " + given.describe() + why + ")");
}

void JsonCursor::no_unknown_keys(const std::vector<std::string>& allowed) const {
  for (const auto& key : keys()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint = closest_match(key, allowed);
    JsonCursor(value_->at(key), file_, pointer_ / key)
        .fail("unknown key '" + key + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
}

size_t JsonCursor::size() const {
  expect_array();
  return value_->size();
}

JsonCursor JsonCursor::at(size_t index) const {
  expect_array();
  if (index >= value_->size())
    fail("expected at least " + std::to_string(index + 1) + " elements (got " +
         std::to_string(value_->size()) + ")");
  return JsonCursor((*value_)[index], file_, pointer_ / index);
}

std::vector<JsonCursor> JsonCursor::elements() const {
  expect_array();
  std::vector<JsonCursor> out;
  out.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i) out.emplace_back((*value_)[i], file_, pointer_ / i);
  return out;
}

int64_t JsonCursor::as_int() const {
  if (value_->is_number_integer() && !value_->is_number_unsigned()) return value_->get<int64_t>();
  if (value_->is_number_unsigned()) {
    uint64_t u = value_->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) fail("integer too large for 64 bits (got " + describe() + ")");
    return static_cast<int64_t>(u);
  }
  if (value_->is_number_float()) {
    double d = value_->get<double>();
    // 2^63 is exactly representable; anything at or beyond it does not fit int64.
    if (std::isfinite(d) && std::floor(d) == d) {
      if (std::fabs(d) < 9.2233720368547758e18) return static_cast<int64_t>(d);
      // Integer literals beyond uint64 (e.g. 1e30 written out) arrive here as doubles.
      fail("integer too large for 64 bits (got " + describe() + ")");
    }
    fail("expected an integer (got " + describe() + ")");
  }
  fail("expected an integer (got " + type_name() + " " + describe() + ")");
}

int64_t JsonCursor::as_int_in(int64_t min, int64_t max) const {
  int64_t v = as_int();
  if (v < min || v > max) {
    if (max == INT64_MAX) fail("must be >= " + std::to_string(min) + " (got " + std::to_string(v) + ")");
    fail("must be in [" + std::to_string(min) + ", " + std::to_string(max) + "] (got " +
         std::to_string(v) + ")");
  }
  return v;
}

double JsonCursor::as_number() const {
  if (!value_->is_number()) fail("expected a number (got " + type_name() + " " + describe() + ")");
  double d = value_->get<double>();
  if (!std::isfinite(d)) fail("expected a finite number (got " + describe() + ")");
  return d;
}

double JsonCursor::as_number_in(double min, double max) const {
  double v = as_number();
  if (v < min || v > max)
    fail("must be in [" + format_number(min) + ", " + format_number(max) + "] (got " + format_number(v) + ")");
  return v;
}

double JsonCursor::as_positive_number() const {
  double v = as_number();
  if (!(v > 0)) fail("must be > 0 (got " + format_number(v) + ")");
  return v;
}

bool JsonCursor::as_bool() const {
  if (!value_->is_boolean()) fail("expected true or false (got " + type_name() + " " + describe() + ")");
  return value_->get<bool>();
}

std::string JsonCursor::as_string() const {
  if (!value_->is_string()) fail("expected a string (got " + type_name() + " " + describe() + ")");
  return value_->get<std::string>();
}

std::string JsonCursor::as_choice(const std::vector<std::string>& choices) const {
  std::string s = as_string();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  std::string hint = closest_match(s, choices);
  fail("unknown value '" + s + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
       " (valid: " + join(choices, ", ") + ")");
}

int64_t JsonCursor::int_or(std::string_view key, int64_t fallback) const {
  auto c = find(key);
  return c ? c->as_int() : fallback;
}
double JsonCursor::number_or(std::string_view key, double fallback) const {
  auto c = find(key);
  return c ? c->as_number() : fallback;
}
bool JsonCursor::bool_or(std::string_view key, bool fallback) const {
  auto c = find(key);
  return c ? c->as_bool() : fallback;
}
std::string JsonCursor::string_or(std::string_view key, const std::string& fallback) const {
  auto c = find(key);
  return c ? c->as_string() : fallback;
}

}  // namespace edgepart
