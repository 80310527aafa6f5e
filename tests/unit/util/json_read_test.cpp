// The strict JSON reader (docs/design.md §9): every failure is an InputError naming the file and the JSON
// pointer (or "line L, column C" for text that is not JSON at all). The expected pointers, lines
// and columns below are read off the literal documents by hand.
#include "edgepart/util/json_checks.hpp"
#include "edgepart/util/json_read.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "edgepart/util/error.hpp"

namespace edgepart {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Runs `fn`, which must throw an InputError, and returns it.
template <typename Fn>
InputError input_error(Fn&& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError("", "", "");
}

Json parse(const std::string& text) { return parse_json_text(text, "f.json"); }

TEST(JsonCursor, MissingKeyNamesTheObjectAndTheKey) {
  Json doc = parse(R"({"layers": [{"name": "a"}]})");
  JsonCursor root(doc, "f.json");
  auto e = input_error([&] { root.at("layers").at(size_t{0}).at("op"); });
  EXPECT_EQ(e.file(), "f.json");
  EXPECT_EQ(e.where(), "/layers/0");
  EXPECT_EQ(e.message(), "missing required key 'op'");
  EXPECT_STREQ(e.what(), "f.json: /layers/0: missing required key 'op'");
}

TEST(JsonCursor, RootPointerIsSlash) {
  Json doc = parse("{}");
  auto e = input_error([&] { JsonCursor(doc, "f.json").at("format"); });
  EXPECT_EQ(e.where(), "/");
}

TEST(JsonCursor, UnknownKeyGetsDidYouMeanHint) {
  Json doc = parse(R"({"kernel": 3, "strid": 2})");
  JsonCursor root(doc, "f.json");
  auto e = input_error([&] { root.no_unknown_keys({"kernel", "stride", "padding"}); });
  EXPECT_EQ(e.where(), "/strid");
  EXPECT_EQ(e.message(), "unknown key 'strid'; did you mean 'stride'?");
}

TEST(JsonCursor, UnknownKeyFarFromEveryCandidateGetsNoHint) {
  Json doc = parse(R"({"zzzzzzzz": 1})");
  auto e = input_error([&] { JsonCursor(doc, "f.json").no_unknown_keys({"kernel", "stride"}); });
  EXPECT_EQ(e.where(), "/zzzzzzzz");
  EXPECT_THAT(e.message(), HasSubstr("unknown key 'zzzzzzzz'"));
  EXPECT_THAT(e.message(), Not(HasSubstr("did you mean")));
}

TEST(JsonCursor, KnownKeysPass) {
  Json doc = parse(R"({"kernel": 3, "stride": 2})");
  EXPECT_NO_THROW(JsonCursor(doc, "f.json").no_unknown_keys({"kernel", "stride", "padding"}));
}

TEST(JsonCursor, WrongTypesAreRefusedWithTheValue) {
  Json doc = parse(R"({"i": "3", "s": 3, "b": 1, "n": null, "a": {}, "o": [1, 2]})");
  JsonCursor root(doc, "f.json");
  auto e = input_error([&] { root.at("i").as_int(); });
  EXPECT_EQ(e.where(), "/i");
  EXPECT_THAT(e.message(), HasSubstr("expected an integer"));
  EXPECT_THAT(e.message(), HasSubstr("\"3\""));
  EXPECT_THAT(input_error([&] { root.at("s").as_string(); }).message(), HasSubstr("expected a string"));
  EXPECT_THAT(input_error([&] { root.at("b").as_bool(); }).message(), HasSubstr("expected true or false"));
  EXPECT_THAT(input_error([&] { root.at("n").as_number(); }).message(), HasSubstr("expected a number"));
  EXPECT_THAT(input_error([&] { root.at("a").expect_array(); }).message(), HasSubstr("expected an array"));
  EXPECT_THAT(input_error([&] { root.at("o").expect_object(); }).message(), HasSubstr("expected an object"));
  EXPECT_THAT(input_error([&] { root.at("o").at("x"); }).where(), "/o");
}

TEST(JsonCursor, IntegralFloatIsAnInteger) {
  Json doc = parse(R"({"a": 3.0, "b": -2.0, "c": 3.5, "d": 1e3})");
  JsonCursor root(doc, "f.json");
  EXPECT_EQ(root.at("a").as_int(), 3);
  EXPECT_EQ(root.at("b").as_int(), -2);
  EXPECT_EQ(root.at("d").as_int(), 1000);
  auto e = input_error([&] { root.at("c").as_int(); });
  EXPECT_EQ(e.where(), "/c");
  EXPECT_EQ(e.message(), "expected an integer (got 3.5)");
}

TEST(JsonCursor, IntegersBeyondInt64AreRefused) {
  // INT64_MAX = 2^63 - 1 = 9223372036854775807 fits; 2^63 does not (nlohmann stores it as uint64);
  // 18446744073709551616 = 2^64 does not fit uint64 either and arrives as a double.
  Json doc = parse(
      R"({"max": 9223372036854775807, "over": 9223372036854775808, "u64max": 18446744073709551615,
          "huge": 18446744073709551616, "min": -9223372036854775808})");
  JsonCursor root(doc, "f.json");
  EXPECT_EQ(root.at("max").as_int(), INT64_MAX);
  EXPECT_EQ(root.at("min").as_int(), INT64_MIN);
  for (const char* key : {"over", "u64max", "huge"}) {
    auto e = input_error([&] { root.at(key).as_int(); });
    EXPECT_EQ(e.where(), std::string("/") + key);
    EXPECT_THAT(e.message(), HasSubstr("integer too large for 64 bits")) << key;
  }
}

TEST(JsonCursor, RangesAndChoices) {
  Json doc = parse(R"({"zero": 0, "neg": -2, "p": 1.5, "mode": "nearst"})");
  JsonCursor root(doc, "f.json");
  EXPECT_EQ(input_error([&] { root.at("zero").as_positive_int(); }).message(), "must be >= 1 (got 0)");
  EXPECT_EQ(input_error([&] { root.at("neg").as_int_in(0, 10); }).message(), "must be in [0, 10] (got -2)");
  EXPECT_EQ(input_error([&] { root.at("p").as_number_in(0, 1); }).message(), "must be in [0, 1] (got 1.5)");
  auto e = input_error([&] { root.at("mode").as_choice({"nearest", "bilinear"}); });
  EXPECT_EQ(e.message(), "unknown value 'nearst'; did you mean 'nearest'? (valid: nearest, bilinear)");
}

TEST(JsonCursor, OptionalKeysFallBackButAreCheckedWhenPresent) {
  Json doc = parse(R"({"a": 2, "b": "x"})");
  JsonCursor root(doc, "f.json");
  EXPECT_EQ(root.int_or("a", 7), 2);
  EXPECT_EQ(root.int_or("missing", 7), 7);
  EXPECT_EQ(root.string_or("b", "y"), "x");
  EXPECT_TRUE(root.bool_or("missing", true));
  EXPECT_EQ(input_error([&] { root.int_or("b", 7); }).where(), "/b");
}

TEST(JsonCursor, ArrayIndexOutOfRangeNamesTheArray) {
  Json doc = parse(R"({"input": [3, 224]})");
  auto e = input_error([&] { JsonCursor(doc, "f.json").at("input").at(size_t{2}); });
  EXPECT_EQ(e.where(), "/input");
  EXPECT_EQ(e.message(), "expected at least 3 elements (got 2)");
}

TEST(JsonCursor, PointerEscapesSlashAndTilde) {
  // RFC 6901: '~' is written ~0 and '/' is written ~1.
  Json doc = parse(R"({"a/b": {"c~d": "x"}})");
  auto e = input_error([&] { JsonCursor(doc, "f.json").at("a/b").at("c~d").as_int(); });
  EXPECT_EQ(e.where(), "/a~1b/c~0d");
}

TEST(ParseJson, SyntaxErrorGivesLineAndColumn) {
  // The stray '}' after the trailing comma is the first character of line 3.
  auto e = input_error([] { parse("{\n  \"a\": 1,\n}"); });
  EXPECT_EQ(e.file(), "f.json");
  EXPECT_EQ(e.where(), "line 3, column 1");
  EXPECT_THAT(e.message(), HasSubstr("invalid JSON"));
}

TEST(ParseJson, EmptyTextIsASyntaxErrorAtLineOneColumnOne) {
  auto e = input_error([] { parse(""); });
  EXPECT_EQ(e.where(), "line 1, column 1");
}

TEST(ParseJson, CommentsAreAllowed) {
  Json doc = parse("// a model\n{\"a\": /* inline */ 1}");
  EXPECT_EQ(doc.at("a").get<int>(), 1);
}

TEST(ParseJson, DepthLimitCountsOpenContainers) {
  JsonLimits limits;
  limits.max_depth = 3;
  EXPECT_NO_THROW(parse_json_text("[[[1]]]", "f.json", limits));
  // The fourth '[' is character 4 of line 1.
  auto e = input_error([&] { parse_json_text("[[[[1]]]]", "f.json", limits); });
  EXPECT_EQ(e.where(), "line 1, column 4");
  EXPECT_EQ(e.message(), "JSON nested deeper than 3 levels (limit)");
  // Objects count like arrays; brackets inside strings and comments do not.
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"b": ["[[[[", 1]}} // [[[[)", "f.json", limits));
  EXPECT_EQ(input_error([&] { parse_json_text("{\"a\":\n {\"b\": [{}]}}", "f.json", limits); }).where(),
            "line 2, column 9");
}

TEST(ParseJson, TenThousandNestedArraysAreRefusedWithoutCrashing) {
  std::string text = std::string(10000, '[') + std::string(10000, ']');
  auto e = input_error([&] { parse(text); });
  // Default limit 64: the 65th '[' is refused.
  EXPECT_EQ(e.where(), "line 1, column 65");
  EXPECT_THAT(e.message(), HasSubstr("nested deeper than 64"));
  EXPECT_NO_THROW(parse(std::string(64, '[') + std::string(64, ']')));
}

TEST(ParseJson, DuplicateKeyIsRefused) {
  // nlohmann would keep the last "kernel"; a strict reader refuses the file instead.
  auto e = input_error([] { parse("{\"kernel\": 3,\n \"stride\": 1, \"kernel\": 5}"); });
  EXPECT_EQ(e.where(), "line 2, column 15");
  EXPECT_EQ(e.message(), "duplicate key 'kernel' in one object");
  // The same key in different objects, or as a string value, is fine.
  EXPECT_NO_THROW(parse(R"({"a": {"k": 1}, "b": {"k": 2}, "k": "k", "l": ["k", "k"]})"));
}

TEST(ParseJson, DuplicateKeyWrittenWithAnEscapeIsRefused) {
  // "\u006b" is "k": nlohmann would keep the second one.
  auto e = input_error([] { parse("{\"k\": 1, \"\\u006b\": 2}"); });
  EXPECT_EQ(e.where(), "line 1, column 10");
  EXPECT_EQ(e.message(), "duplicate key 'k' in one object");
}

TEST(ParseJson, NulByteIsRefused) {
  // nlohmann takes NUL for the end of the input: the second object was silently ignored.
  auto e = input_error([] { parse(std::string("{\"a\": 1}\n\0{\"b\": 2}", 18)); });
  EXPECT_EQ(e.where(), "line 2, column 1");
  EXPECT_EQ(e.message(), "a NUL byte (JSON text cannot contain one)");
}

TEST(ParseJsonIfJson, NestingBoundAppliesAndBareWordsAreNotJson) {
  auto e = input_error([] { parse_json_if_json(std::string(60000, '[') + std::string(60000, ']'), "s.json", "--set /x"); });
  EXPECT_EQ(e.file(), "s.json");
  EXPECT_EQ(e.where(), "--set /x");
  EXPECT_THAT(e.message(), HasSubstr("nested deeper than 64"));
  EXPECT_FALSE(parse_json_if_json("hello", "", "").has_value());
  EXPECT_EQ(parse_json_if_json("[1, 2]", "", "").value(), Json::array({1, 2}));
}

TEST(ExpectFormat, NamesTheFormatOfTheFileGiven) {
  const Json doc = Json{{"format", "edgepart.model"}};
  auto e = input_error([&] { expect_format(JsonCursor(doc, "m.json"), "edgepart.scenario"); });
  EXPECT_EQ(e.where(), "/format");
  EXPECT_EQ(e.message(), "expected \"edgepart.scenario\" (got \"edgepart.model\": this file is a model, not a scenario)");
  const Json other = Json{{"format", "x"}};
  EXPECT_EQ(input_error([&] { expect_format(JsonCursor(other, "m.json"), "edgepart.plan"); }).message(),
            "expected \"edgepart.plan\" (got \"x\")");
}

TEST(ReadFile, MissingFileAndDirectoryAreInputErrors) {
  auto e = input_error([] { read_json_file("/nonexistent/edgepart/model.json"); });
  EXPECT_EQ(e.file(), "/nonexistent/edgepart/model.json");
  EXPECT_THAT(e.message(), HasSubstr("no such file"));
  auto dir = std::filesystem::temp_directory_path();
  EXPECT_THAT(input_error([&] { read_json_file(dir.string()); }).message(), HasSubstr("directory"));
}

TEST(ReadFile, SizeLimit) {
  auto path = std::filesystem::temp_directory_path() /
              ("edgepart_json_read_size_test_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << "[1, 2, 3]";
  }
  EXPECT_NO_THROW(read_text_file(path.string(), 9));
  EXPECT_THAT(input_error([&] { read_text_file(path.string(), 8); }).message(), HasSubstr("larger than 8 bytes"));
  std::filesystem::remove(path);
}

TEST(InputError, IsAlwaysOneLine) {
  // A layer name with a newline must not split the error line (docs/design.md §8: one line).
  InputError e("f.json", "/layers/0", "duplicate layer name 'a\nb\tc\x01'");
  EXPECT_STREQ(e.what(), "f.json: /layers/0: duplicate layer name 'a\\nb\\tc\\x01'");
}

TEST(InputError, InvalidUtf8IsEscapedValidUtf8Kept) {
  // "café" in UTF-8 (c3 a9) passes; a lone Latin-1 0xe9, a truncated 3-byte sequence (e2 82) and
  // an encoded surrogate (ed a0 80, forbidden by RFC 3629) are escaped byte by byte.
  EXPECT_STREQ(InputError("f", "", "caf\xc3\xa9 \xe2\x82\xac").what(), "f: caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_STREQ(InputError("f", "", "caf\xe9").what(), "f: caf\\xe9");
  EXPECT_STREQ(InputError("f", "", "\xe2\x82!").what(), "f: \\xe2\\x82!");
  EXPECT_STREQ(InputError("f", "", "\xed\xa0\x80").what(), "f: \\xed\\xa0\\x80");
}

TEST(InputError, WithFileFillsOnlyAMissingFile) {
  InputError e("", "/x", "bad");
  EXPECT_STREQ(e.with_file("m.json").what(), "m.json: /x: bad");
  EXPECT_STREQ(InputError("a.json", "/x", "bad").with_file("m.json").what(), "a.json: /x: bad");
}

}  // namespace
}  // namespace edgepart
