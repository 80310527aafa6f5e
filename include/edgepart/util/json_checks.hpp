#pragma once
// More of the strict JSON reading of util/json_read.hpp: JSON that arrives outside a file (--set
// values, sweep axis values) and the format check of every edgepart document.
#include <optional>
#include <string>
#include <string_view>

#include "edgepart/util/json_read.hpp"

namespace edgepart {

// `text` parsed as JSON when it is JSON, else nullopt (a --set value or a sweep axis value that is
// a bare word is a string). The one nesting bound of files applies here too: nlohmann parses deep
// nesting iteratively but destroys and dumps it recursively, so a value nested 60,000 deep would
// overflow the stack. Nesting deeper than limits.max_depth and a key repeated in one object are
// InputError(file, where, ...) (where = "line L, column C" when empty).
std::optional<Json> parse_json_if_json(const std::string& text, const std::string& file, const std::string& where,
                                       const JsonLimits& limits = {});

// The root of an edgepart document: an object whose "format" is `format`. Checked before any
// other key, so that a file of another edgepart format (a model given as a scenario, a scenario
// given as a plan) says what it is instead of reporting its keys as unknown.
void expect_format(const JsonCursor& root, std::string_view format);

}  // namespace edgepart
