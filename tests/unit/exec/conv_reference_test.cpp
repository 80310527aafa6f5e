// The executor's im2col + GEMM convolution against a naive direct convolution (nested loops, double
// accumulation) on random small layers: groups, dilation, stride, asymmetric padding, bias.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "edgepart/exec/executor.hpp"
#include "support/model_text.hpp"

namespace edgepart::exec {
namespace {

using model::Conv2dAttrs;

// out[co][oy][ox] = bias[co] + sum over the group's input channels ci and taps (ky, kx) of
// w[co][ci][ky][kx] * in[g*cin_g + ci][oy*sh - top + ky*dh][ox*sw - left + kx*dw] (0 outside).
Tensor naive_conv(const Tensor& in, const Conv2dAttrs& a, const LayerParams& p, int64_t oh, int64_t ow) {
  Tensor out(a.out_channels, oh, ow);
  int64_t cin_g = in.c / a.groups, cout_g = a.out_channels / a.groups;
  for (int64_t co = 0; co < a.out_channels; ++co) {
    int64_t g = co / cout_g;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        double sum = p.bias.empty() ? 0.0 : p.bias[static_cast<size_t>(co)];
        for (int64_t ci = 0; ci < cin_g; ++ci)
          for (int64_t ky = 0; ky < a.kernel.h; ++ky)
            for (int64_t kx = 0; kx < a.kernel.w; ++kx) {
              int64_t y = oy * a.stride.h - a.padding.top + ky * a.dilation.h;
              int64_t x = ox * a.stride.w - a.padding.left + kx * a.dilation.w;
              if (y < 0 || y >= in.h || x < 0 || x >= in.w) continue;
              double w = p.weight[static_cast<size_t>(((co * cin_g + ci) * a.kernel.h + ky) * a.kernel.w + kx)];
              sum += w * in.at(g * cin_g + ci, y, x);
            }
        out.at(co, oy, ox) = static_cast<float>(sum);
      }
  }
  return out;
}

TEST(ConvReference, RandomLayersMatchNaiveConvolution) {
  std::mt19937 gen(7);  // the sequence of std::mt19937 is fixed by the standard
  auto pick = [&gen](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(gen() % static_cast<uint32_t>(hi - lo + 1)); };
  int tested = 0;
  for (int trial = 0; trial < 300 && tested < 120; ++trial) {
    int64_t groups = pick(1, 3), cin = groups * pick(1, 3), cout = groups * pick(1, 3);
    int64_t kh = pick(1, 4), kw = pick(1, 4), sh = pick(1, 3), sw = pick(1, 3), dh = pick(1, 2), dw = pick(1, 2);
    int64_t h = pick(3, 14), w = pick(3, 14);
    int64_t top = pick(0, kh / 2), left = pick(0, kw / 2), bottom = pick(0, kh / 2), right = pick(0, kw / 2);
    bool bias = pick(0, 1) == 1;
    std::string layer = R"({"name": "c", "op": "conv2d", "out_channels": )" + std::to_string(cout) +
                        R"(, "kernel": [)" + std::to_string(kh) + "," + std::to_string(kw) + R"(], "stride": [)" +
                        std::to_string(sh) + "," + std::to_string(sw) + R"(], "dilation": [)" + std::to_string(dh) + "," +
                        std::to_string(dw) + R"(], "padding": [)" + std::to_string(top) + "," + std::to_string(left) + "," +
                        std::to_string(bottom) + "," + std::to_string(right) + R"(], "groups": )" +
                        std::to_string(groups) + R"(, "bias": )" + (bias ? "true" : "false") + "}";
    std::string input = "[" + std::to_string(cin) + "," + std::to_string(h) + "," + std::to_string(w) + "]";
    model::ModelGraph g;
    cost::ModelAnalysis an;
    try {
      g = testing::model_from_text(testing::model_json(input, layer));
      an = cost::analyze(g);
    } catch (const InputError&) {
      continue;  // the kernel does not fit this input
    }
    ++tested;
    Executor ex(g, an, static_cast<uint64_t>(trial));
    Tensor x = ex.random_input();
    Tensor got = ex.run(x);
    Tensor want = naive_conv(x, g.layer(0).as<Conv2dAttrs>(), ex.params(0), an.shapes[0].h, an.shapes[0].w);
    Comparison c = compare(want, got);
    EXPECT_LE(c.max_abs_error, 1e-5 * std::max(1.0, c.max_abs_output)) << layer << " on " << input;
  }
  EXPECT_GE(tested, 100);
}

TEST(ConvReference, WeightsAreHeScaledAndSeeded) {
  auto g = testing::model_from_text(testing::model_json("[4,6,6]",
      R"({"name": "c", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1})"));
  auto an = cost::analyze(g);
  Executor a(g, an, 1), b(g, an, 1), c(g, an, 2);
  EXPECT_EQ(a.params(0).weight, b.params(0).weight);
  EXPECT_NE(a.params(0).weight, c.params(0).weight);
  // fan_in = 4 x 3 x 3 = 36: weights in [-sqrt(6/36), sqrt(6/36)), bias in [-1/6, 1/6).
  float bound = std::sqrt(6.0f / 36.0f);
  for (float w : a.params(0).weight) {
    EXPECT_GE(w, -bound);
    EXPECT_LT(w, bound);
  }
  for (float v : a.params(0).bias) EXPECT_LE(std::abs(v), 1.0f / 6.0f);
  ASSERT_EQ(a.params(0).weight.size(), 8u * 36u);
}

TEST(ConvReference, ReadingOutsideTheCropIsCaught) {
  // A crop that lacks a row the layer needs is a region-arithmetic bug, never silently zero.
  auto g = testing::model_from_text(testing::model_json("[1,6,6]",
      R"({"name": "c", "op": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1})"));
  auto an = cost::analyze(g);
  Executor ex(g, an, 3);
  Tensor x = ex.random_input();
  rf::Region short_crop{{3, 5}, {0, 5}};  // rows 3..5 of the tile need input rows 2..5
  Tensor part = crop(x, short_crop);
  InputView v{&part, short_crop, rf::Region::whole(an.input)};
  EXPECT_THROW(ex.compute(0, {v}, rf::Region{{3, 5}, {0, 2}}), InternalError);
  rf::Region right_crop{{2, 5}, {0, 3}};  // DeepThings Fig. 5: exactly enough
  Tensor part2 = crop(x, right_crop);
  Tensor tile = ex.compute(0, {InputView{&part2, right_crop, rf::Region::whole(an.input)}}, rf::Region{{3, 5}, {0, 2}});
  Tensor whole = ex.run(x);
  for (int64_t y = 0; y < 3; ++y)
    for (int64_t xx = 0; xx < 3; ++xx) EXPECT_NEAR(tile.at(0, y, xx), whole.at(0, 3 + y, xx), 1e-6);
}

}  // namespace
}  // namespace edgepart::exec
