#pragma once
// `edgepart region`'s question and answer (docs/design.md §4; JSON keys in §8), shared by the CLI
// and the Python module's region(): the region of every layer from `from` to `to` needed to
// compute some rows and columns of `to`'s output, and the region of the block's input.
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::pipeline {

// The arguments as the CLI takes them (InputErrors name its options): layers by name or index,
// ranges "A:B" (inclusive, 0-based); empty `cols`: every column; empty `from`: the first layer.
struct RegionQuery {
  std::string to, rows, cols, from;
};

struct RegionAnswer {
  model::LayerIndex from = 0, to = 0;
  bool from_given = false;    // else the region is at the model input
  rf::Region requested;       // of to's output
  std::string input_name;     // "input", or the name of from's (first) input
  rf::Region input;           // what is needed of it
  rf::BlockRegions block;     // every layer's regions, MACs and FLOPs
};

RegionAnswer region_query(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, const RegionQuery& query);

// The answer as `edgepart region --format json` writes it.
Json region_json(const model::ModelGraph& graph, const RegionAnswer& answer);

// A tensor by its producer: "input" for the model input, else the layer's name.
std::string tensor_name(const model::ModelGraph& graph, model::LayerIndex producer);

}  // namespace edgepart::pipeline
