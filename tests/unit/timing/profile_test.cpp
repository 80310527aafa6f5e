// Measured profiles (docs/formats.md "Profile", docs/timing.md "Measured profiles"): the format
// round-trips byte for byte, the reader refuses bad files naming the JSON pointer, the
// interpolation matches hand arithmetic, and profiles are matched to models by content hash.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "edgepart/model/load.hpp"
#include "edgepart/profiler/measure.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/timing/profile.hpp"
#include "edgepart/util/error.hpp"

using namespace edgepart;
using namespace edgepart::timing;

namespace {

ProfilePoint point(int64_t rows, int64_t cols, double median_s) {
  return ProfilePoint{rows, cols, median_s, median_s * 0.9, median_s * 1.25, 21};
}

// One conv layer of 14 rows x 14 columns measured at 1, 7 and 14 full-width rows (1, 5, 12 ms),
// and 14 rows of the left 7 columns (7 ms); a flat layer at its one point.
Profile sample() {
  Profile p;
  p.measured_on = MeasuredOn{"host", "Some CPU @ 2.10GHz", 1, "edgepart-eigen 0.1.0 (Eigen 3.4.0)"};
  p.model_name = "m";
  p.model_hash = "fnv1a64:0123456789abcdef";
  p.settings = ProfileSettings{21, 3};
  p.layers.push_back(LayerProfile{0, "conv", "conv2d", model::Shape::chw(8, 14, 14),
                                  {point(14, 7, 7e-3), point(1, 14, 1e-3), point(7, 14, 5e-3), point(14, 14, 12e-3)}});
  p.layers.push_back(LayerProfile{1, "fc", "linear", model::Shape::features(10), {point(1, 1, 2e-4)}});
  p.transfers = {TransferPoint{1000, 1e-4}, TransferPoint{1e6, 0.0123}};
  return p;
}

std::string error_of(const Json& doc) {
  try {
    profile_from_json(doc, "p.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("edgepart_profile_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

model::ModelGraph alexnet() { return model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json"); }

// A profile of alexnet's first layer, as `edgepart profile --layers 0` would write it.
Profile alexnet_profile(const model::ModelGraph& g) {
  Profile p = sample();
  p.model_name = g.name;
  p.model_hash = g.content_hash();
  p.layers = {LayerProfile{0, g.layer(0).name, "conv2d", model::Shape::chw(64, 55, 55), {point(55, 55, 0.01)}}};
  return p;
}

}  // namespace

TEST(ProfileFormat, WriteReadWriteGivesTheSameBytes) {
  Profile p = sample();
  const std::string text = profile_to_json_text(p);
  Profile back = profile_from_json(Json::parse(text), "p.json");
  EXPECT_EQ(back, p);
  EXPECT_EQ(back.file, "p.json");
  EXPECT_EQ(profile_to_json_text(back), text);
  // Sorted keys, the documented shape.
  Json doc = Json::parse(text);
  EXPECT_EQ(doc.at("format"), "edgepart.profile");
  EXPECT_EQ(doc.at("layers").at(0).at("output"), Json::array({8, 14, 14}));
  EXPECT_EQ(doc.at("layers").at(1).at("output"), Json::array({10}));
  EXPECT_LT(text.find("\"format\""), text.find("\"layers\""));
  EXPECT_LT(text.find("\"layers\""), text.find("\"measured_on\""));
}

TEST(ProfileFormat, TransfersAreOptional) {
  Profile p = sample();
  p.transfers.clear();
  Json doc = profile_to_json(p);
  EXPECT_FALSE(doc.contains("transfers"));
  EXPECT_EQ(profile_from_json(doc, "p.json"), p);
}

TEST(ProfileFormat, StrictErrorsNameThePointer) {
  const Json good = profile_to_json(sample());
  ASSERT_EQ(error_of(good), "");
  struct Case {
    std::string pointer;  // the value changed (null: removed)
    Json value;
    std::string expected;  // substring of the error
  };
  const std::vector<Case> cases = {
      {"/format", "edgepart.plan", "p.json: /format: expected \"edgepart.profile\""},
      {"/version", 2, "p.json: /version:"},
      {"/measured_on/cpu", nullptr, "p.json: /measured_on: missing required key 'cpu'"},
      {"/measured_on/threads", 0, "p.json: /measured_on/threads:"},
      {"/model/hash", 7, "p.json: /model/hash: expected a string"},
      {"/settings/runs", "21", "p.json: /settings/runs: expected an integer"},
      {"/layers/0/points/1/rows", "7", "p.json: /layers/0/points/1/rows: expected an integer"},
      {"/layers/0/points/1/rows", 15, "p.json: /layers/0/points/1/rows:"},  // taller than the map
      {"/layers/0/points/2/median_s", -0.005, "p.json: /layers/0/points/2/median_s: a time must be >= 0 s (got -0.005)"},
      {"/layers/0/points/2/p25_s", 0.006, "p.json: /layers/0/points/2: expected p25_s <= median_s <= p75_s"},
      {"/layers/0/points/2/rows", 1, "p.json: /layers/0/points/2: points must be sorted by (cols, rows) without repeats"},
      {"/layers/0/points/3/rows", 5, "p.json: /layers/0/points/3: points must be sorted by (cols, rows) without repeats"},
      {"/layers/0/points", Json::array(), "p.json: /layers/0/points: needs at least one point"},
      {"/layers/0/output", Json::array({8, 14}), "p.json: /layers/0/output: expected [C, H, W] or [F]"},
      {"/layers/1/layer", 0, "p.json: /layers/1/layer: layers must be in ascending order without repeats"},
      {"/layers/1/speed", 1, "p.json: /layers/1/speed: unknown key 'speed'"},
      {"/transfers/1/bytes", 10, "p.json: /transfers/1/bytes: bytes must increase"},
      {"/layers", nullptr, "p.json: /: missing required key 'layers'"},
  };
  for (const auto& c : cases) {
    Json doc = good;
    Json::json_pointer ptr(c.pointer);
    if (c.value.is_null()) doc[ptr.parent_pointer()].erase(ptr.back());
    else doc[ptr] = c.value;
    std::string err = error_of(doc);
    EXPECT_NE(err.find(c.expected), std::string::npos) << c.pointer << ": got '" << err << "'";
  }
}

TEST(ProfileInterpolation, HandArithmetic) {
  const Profile p = sample();
  // Exact at measured heights.
  EXPECT_DOUBLE_EQ(*p.layer_time_s(0, 1, 14), 1e-3);
  EXPECT_DOUBLE_EQ(*p.layer_time_s(0, 7, 14), 5e-3);
  EXPECT_DOUBLE_EQ(*p.layer_time_s(0, 14, 14), 12e-3);
  // Between 7 (5 ms) and 14 (12 ms): 5 + (10 - 7) / (14 - 7) * (12 - 5) = 8 ms.
  EXPECT_NEAR(*p.layer_time_s(0, 10, 14), 8e-3, 1e-15);
  // Between 1 (1 ms) and 7 (5 ms): 1 + (3 - 1) / 6 * 4 = 7/3 ms.
  EXPECT_NEAR(*p.layer_time_s(0, 3, 14), 7e-3 / 3, 1e-15);
  EXPECT_EQ(*p.layer_time_s(0, 0, 14), 0.0);
  EXPECT_EQ(*p.layer_time_s(0, 5, 0), 0.0);
  // Columns: the narrowest measured width >= cols. 7 columns, 14 rows: the 7-column point.
  EXPECT_DOUBLE_EQ(*p.layer_time_s(0, 14, 7), 7e-3);
  // 5 columns, 14 rows: 7 ms x 5/7 = 5 ms.
  EXPECT_NEAR(*p.layer_time_s(0, 14, 5), 5e-3, 1e-15);
  // 7 columns, 7 rows: one point (14 rows) in that group: 7 ms x 7/14 = 3.5 ms.
  EXPECT_NEAR(*p.layer_time_s(0, 7, 7), 3.5e-3, 1e-15);
  // 10 columns, 10 rows: the 14-column group (8 ms at 10 rows) x 10/14.
  EXPECT_NEAR(*p.layer_time_s(0, 10, 10), 8e-3 * 10 / 14, 1e-15);
  // Wider than every measurement: the widest group scaled up: 12 ms x 16/14.
  EXPECT_NEAR(*p.layer_time_s(0, 14, 16), 12e-3 * 16 / 14, 1e-15);
  // Channel share of a flat layer: 0.2 ms x 1/4.
  EXPECT_NEAR(*p.layer_time_s(1, 1, 1, 0.25), 5e-5, 1e-18);
  EXPECT_FALSE(p.layer_time_s(2, 1, 1).has_value());
}

TEST(ProfileInterpolation, RowTableIsTheInterpolation) {
  const Profile p = sample();
  std::vector<double> t = p.whole_width_row_times_s(0);
  ASSERT_EQ(t.size(), 15u);  // rows 0 .. 14
  EXPECT_EQ(t[0], 0.0);
  EXPECT_DOUBLE_EQ(t[7], 5e-3);
  EXPECT_NEAR(t[10], 8e-3, 1e-15);  // as in HandArithmetic
  for (int64_t r = 0; r <= 14; ++r) EXPECT_EQ(t[static_cast<size_t>(r)], *p.layer_time_s(0, r, 14)) << r;
  EXPECT_EQ(p.whole_width_row_times_s(1), (std::vector<double>{0.0, 2e-4}));
  EXPECT_TRUE(p.whole_width_row_times_s(7).empty());
}

TEST(ProfileInterpolation, OutsideTheMeasuredHeightsIsProportional) {
  // Points at 2 and 4 rows (3 and 5 ms): below 2 rows, the per-row time of the 2-row strip
  // (1.5 ms per row); above 4 rows, that of the 4-row strip (1.25 ms per row).
  std::vector<ProfilePoint> pts = {point(2, 10, 3e-3), point(4, 10, 5e-3)};
  EXPECT_NEAR(interpolate_points(pts, 1, 10), 1.5e-3, 1e-15);
  EXPECT_NEAR(interpolate_points(pts, 3, 10), 4e-3, 1e-15);
  EXPECT_NEAR(interpolate_points(pts, 6, 10), 7.5e-3, 1e-15);
  // One point: proportional everywhere.
  EXPECT_NEAR(interpolate_points({point(8, 10, 4e-3)}, 2, 10), 1e-3, 1e-15);
}

TEST(ProfileLookup, PartialProfilesFindLayersByIndex) {
  Profile p = sample();
  p.layers[0].layer = 2;
  p.layers[1].layer = 5;
  ASSERT_NE(p.find(5), nullptr);
  EXPECT_EQ(p.find(5)->name, "fc");
  EXPECT_EQ(p.find(2)->name, "conv");
  EXPECT_EQ(p.find(0), nullptr);
  EXPECT_EQ(p.find(3), nullptr);
  EXPECT_EQ(p.find(6), nullptr);
  EXPECT_FALSE(p.layer_time_s(3, 1, 1).has_value());
  EXPECT_DOUBLE_EQ(*p.layer_time_s(2, 7, 14), 5e-3);
}

TEST(ProfileModel, HashMismatchNamesBothModels) {
  model::ModelGraph g = alexnet();
  Profile p = alexnet_profile(g);
  EXPECT_NO_THROW(check_profile_matches(p, g, "p.json"));
  p.model_hash = "fnv1a64:0000000000000000";
  p.model_name = "vgg16";
  try {
    check_profile_matches(p, g, "p.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "p.json: /model: profile was measured on model 'vgg16' (fnv1a64:0000000000000000), "
                                     "scenario model is '" + g.name + "' (" + g.content_hash() + ")");
  }
  // Same architecture, edited layer: named at its pointer.
  p = alexnet_profile(g);
  p.layers[0].output = model::Shape::chw(64, 54, 55);
  EXPECT_THROW(check_profile_matches(p, g, "p.json"), InputError);
  p = alexnet_profile(g);
  p.layers[0].op = "relu";
  try {
    check_profile_matches(p, g, "p.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "/layers/0");
  }
}

TEST(ProfileModel, DeviceProfilesKeepTheScenarioModels) {
  model::ModelGraph g = alexnet();
  Profile other = sample();  // another model's hash: ignored
  std::string mine = temp_file("mine.json", profile_to_json_text(alexnet_profile(g)));
  std::string theirs = temp_file("theirs.json", profile_to_json_text(other));
  scenario::Device d;
  d.name = "es0";
  d.profiles = {theirs, mine};
  std::vector<Profile> got = load_device_profiles(d, g);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].file, mine);
  EXPECT_EQ(got[0].model_hash, g.content_hash());
  // Two for the same model on one device: which one would be meant is unclear.
  d.profiles = {mine, mine};
  EXPECT_THROW(load_device_profiles(d, g), InputError);
  // A broken file is an error even if it was for another model.
  std::string broken = temp_file("broken.json", "{\"format\": \"edgepart.profile\"}");
  d.profiles = {broken, mine};
  EXPECT_THROW(load_device_profiles(d, g), InputError);
  for (const auto& f : {mine, theirs, broken}) std::remove(f.c_str());
}

TEST(ProfilerHeights, ParseAndResolve) {
  auto specs = profiler::parse_heights("all,1/2,1/4,1/8,1", "--heights");
  EXPECT_EQ(profiler::resolve_heights(specs, 14), (std::vector<int64_t>{1, 2, 4, 7, 14}));  // ceil(14/8) = 2
  EXPECT_EQ(profiler::resolve_heights(specs, 224), (std::vector<int64_t>{1, 28, 56, 112, 224}));
  EXPECT_EQ(profiler::resolve_heights(specs, 3), (std::vector<int64_t>{1, 2, 3}));  // 1/4 and 1/8 of 3 are 1
  EXPECT_EQ(profiler::resolve_heights(specs, 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(profiler::resolve_heights(profiler::parse_heights("5,100", "--heights"), 7), (std::vector<int64_t>{5, 7}));
  for (const char* bad : {"", "half", "1/0", "0", "1/", "all,,1", "-3", "1/x"})
    EXPECT_THROW(profiler::parse_heights(bad, "--heights"), InputError) << bad;
}

TEST(ProfileFormat, CommittedProfilesRoundTripAndMatchTheirModels) {
  for (const std::string name : {"vgg16", "resnet18"}) {
    const std::string root = EDGEPART_SOURCE_DIR;
    const std::string path = root + "/profiles/host-" + name + ".json";
    Profile p = load_profile(path);
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(profile_to_json_text(p), text) << path;
    model::ModelGraph g = model::load_model(root + "/models/" + name + ".json");
    EXPECT_NO_THROW(check_profile_matches(p, g, path));
    ASSERT_EQ(p.layers.size(), g.size());
    for (const LayerProfile& l : p.layers) {
      // The tallest point is the whole map; the lookup returns every measured point exactly.
      EXPECT_EQ(l.points.back().rows, l.output.h);
      for (const ProfilePoint& pt : l.points)
        EXPECT_EQ(*p.layer_time_s(l.layer, pt.rows, pt.cols), pt.median_s) << l.name << " rows " << pt.rows;
      EXPECT_EQ(p.find(l.layer), &l);
    }
  }
}
