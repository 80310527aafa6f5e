#pragma once
// What one device does for one variant of a plan: its part of the task DAG, read once at setup.
// Every task has a device that executes it (compute, lookup: its device; transfer: the sender)
// and a device where its completion is first known (compute: its device; transfer: the
// receiver, when the data has arrived). A dependency D -> T with done_device(D) !=
// exec_device(T) carries no data of its own, so done_device(D) sends a Notice to
// exec_device(T) (DPFP's bulk-synchronous blocks: a transfer a->b may wait for computes on c).
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/rf/region.hpp"
#include "edgepart/runtime/protocol.hpp"

namespace edgepart::runtime {

enum class TaskRole { none, compute, lookup, send, receive, local_transfer };

struct InputCrop {
  int tensor = -1;     // producer layer, -1 = model input
  rf::Region crop;     // the box read (all channels), clipped to the map
  rf::Region valid;    // exec::InputView::valid (exact: the whole map; FDSP: the crop)
  int64_t c0 = 0, c1 = -1;  // channels needed (a "channels" stage may read a subset)
};

struct LayerStep {
  model::LayerIndex layer = 0;
  rf::Region out;      // region of the layer's output computed (all channels)
  int64_t c0 = 0, c1 = -1;  // output channels kept ("channels" stages: the part's neurons)
  std::vector<InputCrop> inputs;
  // Whether the output goes to the request's store: it does when anything but the task's next
  // layers reads it (a transfer, another task, the model output); otherwise it stays inside the
  // task, which saves copying whole activations in and out of the store.
  bool store = true;
  std::vector<int> local_inputs;  // per input: index of the step of this task producing it, or -1
};

struct TaskPlan {
  TaskRole role = TaskRole::none;  // what this device does with the task
  int exec_device = -1, done_device = -1;
  int deps = 0;                    // dependencies to wait for (exec here)
  std::vector<int> successors;     // tasks executed here that depend on this one
  std::vector<int> notify;         // devices to send a Notice to when this task is done here
  Box box;                         // transfers: what they carry
  std::vector<LayerStep> steps;    // compute (and pull tasks on their pool devices): the layers
  // Pull tasks (FTP, FDSP): taken by whichever pool device the coordinator assigns.
  bool pull = false;
  bool provide = false;            // this device is in_from: it forwards the input to the taker
  bool collect = false;            // this device is out_to: the task is done here when its output is
  int in_from = -1, out_to = -1;
  Box in_box, out_box;             // the stage input's tile box, the stage output's
  // Bits per value of the output sent to out_to: 32 (float32), or fewer for a compressed pull
  // task (FDSP), as many as the plan's out_bytes allow (quantize.hpp's bits_for).
  unsigned out_bits = 32;
};

struct Program {
  int device = -1;
  std::vector<TaskPlan> tasks;     // by task id
  int involved = 0;                // tasks with a role here
  std::vector<int> initial;        // executed here, no dependencies
  std::vector<int> send_to;        // devices this one sends data or notices to
};

// InputError (file "<plan>") for what the runtime cannot execute: pull tasks with dependencies,
// transfers without a tensor piece, a transfer's piece outside its tensor.
Program build_program(const plan::Plan& plan, size_t variant, int device, const model::ModelGraph& graph,
                      const cost::ModelAnalysis& analysis);

// The layers `device` computes in any variant (its compute tasks, and the pull tasks of pools it
// is in), in index order: the layers whose weights it needs.
std::vector<model::LayerIndex> computed_layers(const plan::Plan& plan, int device, const model::ModelGraph& graph,
                                               const cost::ModelAnalysis& analysis);

// The devices that take part in a variant (any task role), in index order.
std::vector<int> participants(const plan::Plan& plan, size_t variant);

Box box_of(const plan::TensorPiece& piece);
std::string box_to_string(const Box& b);

}  // namespace edgepart::runtime
