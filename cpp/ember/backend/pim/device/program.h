// Element-wise programs: one node, or a fused Kernel of the graph, compiled to ONE micro-op stream
// (pim_device.md "Fusion"). Scalar operands become immediates baked into the microcode,
// intermediates stay in scratch registers, and only the stored results are written to tensors.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "ember/graph/kernel.h"
#include "state.h"

namespace ember::pim {

struct Step {
  Node* node;             // the node computed (its op, dtype, origin)
  std::vector<int> args;  // values read: inputs first, then the steps' results
};

struct Program {
  Shape shape;               // the iteration space
  std::vector<Node*> inputs; // evaluated: pim tensors, pim size-1 values, host 0-d values
  std::vector<Step> steps;   // value inputs.size() + i is steps[i]'s result
  std::vector<int> stored;   // values written to tensors, in the order of `results`
};

// The primitives macro_of maps by name (the device registers its element-wise kernel under them).
std::vector<std::string_view> macro_op_names();
// The macro of an element-wise node, if it has one (x ** 2 is a multiply).
std::optional<Macro> macro_of(const Node& n);
// copy / where: bit moves, valid on the dtypes stored without microcode too (to_pim_storage).
inline bool bit_moving(Macro m) { return m == Macro::Copy || m == Macro::Where; }
// Compiles and runs p with its operands placed like `place`; returns the stored tensors. Throws
// Unsupported (nothing executed) when a macro has no microcode for the dtypes or the operands'
// crossbars lack scratch registers. record_steps: the profile gets each step's cost under its node.
std::vector<Tensor> run_program(const Program& p, const Tensor& place, bool record_steps = false);
// A placement for p's results: its first full-size pim input's, else a fresh one.
Tensor program_placement(const Program& p);

}  // namespace ember::pim
