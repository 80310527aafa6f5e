#pragma once
// FTP's data reuse as DeepThings does it (Zhao, Barijough, Gerstlauer, IEEE TCAD 2018, WST-S;
// their src/ftp.c: reuse_aware_schedule, remove_and_record_overlapped_region_at_output,
// calculate_reuse_data_size, preform_ftp_reuse), in rf's terms (docs/strategies.md "ftp"):
//  - a checkerboard schedule: tile (i, j) is independent when i + j is even (level 0), dependent
//    otherwise (level 1); the dependent tiles' 4-neighbours are all independent;
//  - an independent tile computes its full FTP regions (halo recomputed) and sends the parts of its
//    outputs its dependent neighbours need to the gateway;
//  - a dependent tile walks its fused layers from the last: the input region of its layer l is cut
//    by its neighbours' regions of layer l-1 (left: from the left neighbour's last column + 1,
//    above: from its last row + 1, right and below alike); what was cut, the whole height (width)
//    of the needed region times the neighbour's extent, is received from the gateway. Strips of
//    two neighbours overlap at the corners and are counted for each, as DeepThings sends them.
#include <vector>

#include "edgepart/rf/region.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "strategy/plan_builder.hpp"

namespace edgepart::strategy {

struct ReuseTile {
  bool dependent = false;          // level 1 of the checkerboard
  std::vector<rf::Region> out;     // [layer 0..fused_end]: the output region it computes
  rf::Region frame;                // the model input region it reads
  std::vector<double> received_bytes, sent_bytes;  // [layer 0..fused_end]: overlap of that layer's output
  double received() const;
  double sent() const;
};

// True when layers 0..fused_end form a chain (each reads the one before; layer 0 the model
// input): DeepThings' reuse walks a layer sequence.
bool fused_chain(const PlanRequest& r, LayerIndex fused_end);

// The tiles (grid_tiles order) with their full FTP regions `full_out[tile][layer]`.
std::vector<ReuseTile> deepthings_reuse(const PlanRequest& r, LayerIndex fused_end, const std::vector<rf::Tile>& tiles,
                                        const std::vector<std::vector<rf::Region>>& full_out,
                                        const std::vector<rf::Region>& full_frame);

}  // namespace edgepart::strategy
