#include "ember/distributed/ops.h"

#include <string>

#include "ember/distributed/comm.h"
#include "ember/errors.h"
#include "ember/ops/creation.h"

namespace ember::distributed {

void register_kernels();  // kernels.cpp

namespace {

// The collective's input as a node that evaluates to a row-major contiguous buffer.
NodePtr contiguous_input(const Array& x) { return (x.is_whole() ? x : copy(x)).node(); }

void check_rank(int r, const char* what) {
  if (r < 0 || r >= size())
    throw ValueError(std::string(what) + " rank " + std::to_string(r) + " is out of range for a world of " +
                     std::to_string(size()) + " rank(s)");
}

NodePtr collective(std::string_view op, std::vector<NodePtr> inputs, DType dtype, Shape shape, Params p = {}) {
  register_kernels();  // also usable before init(): a world of one rank
  return make_node(op, Kind::Collective, std::move(inputs), dtype, std::move(shape), std::move(p));
}

}  // namespace

Array all_reduce(const Array& x, std::string_view op) {
  std::string_view name;
  if (op == "sum") name = "all_sum";
  else if (op == "prod") name = "all_prod";
  else if (op == "max") name = "all_max";
  else if (op == "min") name = "all_min";
  else throw ValueError("all_reduce: unknown op '" + std::string(op) + "' (expected sum, prod, max or min)");
  DType dt = x.dtype();
  if (is_complex(dt) && (op == "max" || op == "min"))
    throw TypeError("all_" + std::string(op) + ": complex values have no order (dtype " +
                    std::string(dtype_name(dt)) + ")");
  if (dt == DType::Float16 || dt == DType::BFloat16)  // MPI has no 16-bit floats: reduce in float32
    return astype(all_reduce(astype(x, DType::Float32), op), dt);
  // Split phase: the start posts a nonblocking all-reduce; the completion (the node users see) waits
  // for it, and the scheduler runs it as late as its readers allow, so work in between overlaps.
  Params start;
  start.ints = {op == "sum" ? 0 : op == "prod" ? 1 : op == "max" ? 2 : 3};
  NodePtr posted = collective("all_reduce_start", {contiguous_input(x)}, dt, x.shape(), std::move(start));
  Params done;
  done.flag = true;  // a completion (graph/eval.cpp: sink_completions)
  return Array(collective(name, {posted}, dt, x.shape(), std::move(done)));
}

Array all_gather(const Array& x, std::vector<int64_t> counts) {
  if (x.ndim() == 0) throw ValueError("all_gather: expected an array of at least 1 dimension, got a 0-d array");
  int n = size();
  if (counts.empty()) counts.assign(n, x.shape()[0]);
  if (static_cast<int>(counts.size()) != n)
    throw ValueError("all_gather: counts has " + std::to_string(counts.size()) + " entries for " +
                     std::to_string(n) + " ranks");
  int64_t total = 0;
  for (int64_t c : counts) {
    if (c < 0) throw ValueError("all_gather: negative count " + std::to_string(c));
    total += c;
  }
  if (counts[rank()] != x.shape()[0])
    throw ValueError("all_gather: this rank's array has " + std::to_string(x.shape()[0]) +
                     " rows along axis 0 but counts says " + std::to_string(counts[rank()]));
  Shape shape = x.shape();
  shape[0] = total;
  Params p;
  p.ints = std::move(counts);
  return Array(collective("all_gather", {contiguous_input(x)}, x.dtype(), std::move(shape), std::move(p)));
}

Array all_to_all(const Array& x) {
  if (x.ndim() == 0 || x.shape()[0] % size() != 0)
    throw ValueError("all_to_all: axis 0 must split evenly over " + std::to_string(size()) + " ranks, got shape " +
                     shape_str(x.shape()));
  return Array(collective("all_to_all", {contiguous_input(x)}, x.dtype(), x.shape()));
}

Array broadcast(const Array& x, int root) {
  check_rank(root, "broadcast: root");
  Params p;
  p.ints = {root};
  return Array(collective("broadcast", {contiguous_input(x)}, x.dtype(), x.shape(), std::move(p)));
}

Array send(const Array& x, int dst, int tag) {
  check_rank(dst, "send: destination");
  if (dst == rank()) throw ValueError("send: a rank cannot send to itself (rank " + std::to_string(dst) + ")");
  if (tag < 0) throw ValueError("send: tag must be non-negative, got " + std::to_string(tag));
  Params p;
  p.ints = {dst, tag};
  return Array(collective("send", {contiguous_input(x)}, x.dtype(), x.shape(), std::move(p)));
}

Array recv(const Shape& shape, DType dtype, int src, int tag) {
  check_rank(src, "recv: source");
  if (src == rank()) throw ValueError("recv: a rank cannot receive from itself (rank " + std::to_string(src) + ")");
  if (tag < 0) throw ValueError("recv: tag must be non-negative, got " + std::to_string(tag));
  for (int64_t d : shape)
    if (d < 0) throw ValueError("recv: negative dimensions are not allowed, got " + shape_str(shape));
  Params p;
  p.ints = {src, tag};
  return Array(collective("recv", {}, dtype, shape, std::move(p)));
}

}  // namespace ember::distributed
