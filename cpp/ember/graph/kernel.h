// The KernelDesc: the unit the graph hands to a device (DESIGN.md §3). Either a fused program — a small
// SSA list of elementwise instructions over one iteration space, reading its inputs with per-input
// (broadcast, view) strides and optionally ending in a reduction — or one node run by its own kernel.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// One SSA instruction: register `dst` = node->op applied to registers `args`.
struct Instr {
  Node* node;             // the node it computes (op, params, dtype)
  std::vector<int> args;  // registers read
};

// A fused program between two matrix-vector products over one matrix A (m x k): register `product`
// holds A @ x, computed block by block of rows and never stored, and node `transposed` receives
// A^T @ register `residual` — one pass over A instead of two (graph/passes/matvec_fusion.h).
struct MatvecEnds {
  int matrix = -1;              // the input register holding A (read by no instruction)
  int vector = -1;              // the input register holding x, shape (k, 1)
  int product = -1;             // the input register standing for A @ x, shape (m,)
  int residual = -1;            // the register r of shape (m,) whose A^T r is computed
  Node* gemv = nullptr;         // the matmul A @ x (m x 1) the product replaces
  Node* transposed = nullptr;   // the matmul A^T @ r (k x 1), produced by the kernel
};

struct KernelDesc {
  // A single node run by its device's kernel (opaque ops, views, unfusable nodes); null if fused.
  Node* single = nullptr;

  // ---- fused programs ----
  Shape shape;                 // the iteration space
  std::vector<Node*> inputs;   // registers 0..inputs.size()-1: evaluated before the kernel runs
  std::vector<Instr> code;     // register inputs.size() + i is code[i]'s result
  std::vector<int> outputs;    // registers materialized into their nodes (shape == `shape`)
  Node* reduction = nullptr;   // a trailing reduction of the last register, or null
  int result = -1;             // the register the reduction reads
  MatvecEnds matvec;           // set (matvec.transposed != null) for a kernel between two matvecs

  // What the device worked out from the kernel's shapes and strides, kept for its next run: a
  // compiled Program runs the same KernelDesc again and again on new data (the device checks that
  // the input strides are unchanged before reusing it).
  mutable std::shared_ptr<void> prepared;

  int reg_count() const { return static_cast<int>(inputs.size() + code.size()); }
  // The node whose value a register holds.
  Node* reg_node(int r) const;
  // The nodes this kernel makes evaluated when it runs.
  std::vector<Node*> produced() const;
  // Calls f(Node*) on each of them without building a list (the hot path of a run).
  template <class F>
  void each_produced(F&& f) const {
    if (single) return f(single);
    for (int r : outputs) f(reg_node(r));
    if (reduction) f(reduction);
    if (matvec.transposed) f(matvec.transposed);
  }
};

// A readable listing ("kernel 0: fused (1000,) ..."), for tests and users.
std::string describe(const std::vector<KernelDesc>& kernels);

}  // namespace ember
