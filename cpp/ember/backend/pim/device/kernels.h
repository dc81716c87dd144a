// The pim device's kernels (lowered to the machine's macros) and their shared helpers.
#pragma once
#include <set>
#include <string>

#include "ember/backend/pim/collectives.h"
#include "ember/runtime/buffer.h"
#include "state.h"

namespace ember::pim {

// Bulk host -> PIM: a fresh tensor holding the strided host window d (charged as a transfer).
Tensor upload(const Data& d, ember::DType dtype, const Shape& shape);
// Bulk PIM -> host: a contiguous host buffer (charged as a transfer).
Data download(const Tensor& t, ember::DType dtype, const Shape& shape);
void to_device_kernel(Node& n);
// Runs n on the host when the user enabled the fallback, else NotImplementedError naming the op.
// index_op: an index computation that always runs on the host (nonzero: the mask is read back and
// the indices written back, both charged; the profile marks it "(cpu)").
void cpu_fallback(Node& n, const std::string& why, bool index_op = false);

void register_elementwise();  // elementwise.cpp: unary/binary ops, where, astype, copy, full
void register_reductions();   // reduction.cpp: sum/prod/min/max/any/all over any axes
void register_views();        // views.cpp: as_strided, set_view
void register_movement();     // movement.cpp: gather (integer indexing), scatter, concat
void register_arg_reductions();  // arg_reduction.cpp: argmax, argmin
void register_search();          // search.cpp: searchsorted (compare-and-count)

// Element numbers of an array of `shape` read line by line along axis ax: line m is
// [m * L, (m + 1) * L) of the result (L = shape[ax]); lines in the row-major order of the other axes.
std::vector<uint64_t> lines_along(const Shape& shape, int ax);

// Reduces M lines of L elements of src (line m: src[all[m * L .. (m + 1) * L)]) to M results in
// src's dtype (reduction.cpp), in memory, by a pairwise tree over the lines' positions: float sums
// and products have NumPy's pairwise error bound (O(log L) ulp).
Tensor reduce_lines(const Tensor& src, const std::vector<uint64_t>& all, int64_t M, int64_t L, Reduce r);

// A kernel's temporaries: the tensors kept here are freed at scope exit (on any path) or at
// release(); a result taken out of `ts` beforehand is not freed.
struct Temps {
  std::vector<Tensor> ts;
  Tensor keep(Tensor t) {
    ts.push_back(t);
    return t;
  }
  void release() {
    for (auto& t : ts)
      if (t.n) machine().free(t);
    ts.clear();
  }
  ~Temps() { release(); }
};

// Element i of `shape` read through (offset, strides) of the input (broadcast: stride 0).
std::vector<uint64_t> strided_index(const Shape& shape, const Strides& strides, int64_t offset);

}  // namespace ember::pim

namespace ember::pim {

// Thrown by kernels whose work is an index computation done on the host.
struct HostIndexOp {};

// Records the cost of one node under (op, user line).
void record(const Node& n, const Metrics& cost, const Transfer& t, bool fallback);

// Wraps a kernel: holds the machine lock, measures its micro-op cost and transfers for the
// profile, and sends nodes the kernel cannot lower to the fallback (or NotImplementedError).
template <void (*Body)(Node&)>
void profiled(Node& n) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  const Metrics before = machine().metrics();
  const Transfer t0 = s.transfer;
  bool fell_back = false;
  try {
    Body(n);
  } catch (const Unsupported& e) {
    fell_back = true;
    cpu_fallback(n, e.what());
  } catch (const HostIndexOp&) {
    fell_back = true;
    cpu_fallback(n, "index computation", true);
  }
  Transfer dt = s.transfer;
  dt.calls -= t0.calls, dt.elements -= t0.elements, dt.words -= t0.words;
  record(n, machine().metrics() - before, dt, fell_back);
}

}  // namespace ember::pim
