// Reductions that are not fused Kernels' folds: any/all (a fused Kernel of a cast to bool and a
// max/min), argmax/argmin (block per output), cumsum/cumprod (block-per-row scan).
#include <algorithm>
#include <memory>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/fused_runner.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_sources.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

Strides own_strides(const Node& n) {
  return n.data.strides.empty() && !n.shape.empty() ? contiguous_strides(n.shape) : n.data.strides;
}

// any = max over bool, all = min over bool, of the input cast to bool (NumPy's truth: x != 0).
void logical_reduce_kernel(Node& n) {
  const NodePtr& in = n.inputs.at(0);
  auto red = std::make_shared<Node>();
  red->op = n.op == "any" ? "max" : "min";
  red->kind = Kind::Reduction;
  red->dtype = DType::Bool;
  red->shape = n.shape;
  red->device = DeviceType::CUDA;
  red->params.axes = n.params.axes;
  red->params.flag = n.params.flag;
  KernelDesc k;
  k.shape = in->shape;
  k.inputs = {in.get()};
  NodePtr cast;
  if (in->dtype == DType::Bool) {
    k.result = 0;
    red->inputs = {in};
  } else {
    cast = std::make_shared<Node>();
    cast->op = "astype";
    cast->kind = Kind::Elementwise;
    cast->dtype = DType::Bool;
    cast->shape = in->shape;
    cast->device = DeviceType::CUDA;
    cast->params.dtype = DType::Bool;
    cast->inputs = {in};
    k.code.push_back({cast.get(), {0}});
    k.result = 1;
    red->inputs = {cast};
  }
  k.reduction = red.get();
  run_fused(k);
  n.data = red->data;
}

struct ArgArgs {
  uint64_t x, out;
  int64_t nout, L, nk, ast;
  int64_t kdims[kMaxDims], kst[kMaxDims];
};

void argreduce_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  allocate_output(n, dev);
  const int ax = static_cast<int>(n.params.axes.at(0));
  const Strides xs = own_strides(x);
  ArgArgs a{};
  a.x = device_ptr(x), a.out = device_ptr(n);
  a.L = x.shape[ax], a.ast = xs[ax], a.nout = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == ax || x.shape[d] == 1) continue;
    if (a.nk == kMaxDims) throw NotImplementedError("argmax/argmin on cuda: rank above " + std::to_string(kMaxDims));
    a.kdims[a.nk] = x.shape[d], a.kst[a.nk] = xs[d], a.nout *= x.shape[d];
    ++a.nk;
  }
  if (n.size() == 0) return;
  const OpSource s = argreduce_source(n.op, x.dtype);
  LaunchDims d{unsigned(std::clamp<int64_t>(a.nout, 1, int64_t(sm_count(dev)) * 32)), unsigned(kOpBlock), 0};
  void* params[] = {&a};
  launch(c, load_function(dev, s.source, s.name), d, params);
}

struct ScanArgs {
  uint64_t x, out;
  int64_t rows, L, nk, ast, aost, initial;
  int64_t kdims[kMaxDims], kst[kMaxDims], kost[kMaxDims];
};

void scan_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  if (x.dtype != n.dtype) throw std::logic_error("cuda scan: the input is not cast to the accumulator dtype");
  const int dev = operand_device({&x});
  Context& c = context(dev);
  allocate_output(n, dev);
  const int ax = static_cast<int>(n.params.axes.at(0));
  const Strides xs = own_strides(x), os = n.data.strides;
  ScanArgs a{};
  a.x = device_ptr(x), a.out = device_ptr(n);
  a.L = x.shape[ax], a.ast = xs[ax], a.aost = os[ax], a.initial = n.params.flag ? 1 : 0, a.rows = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == ax || x.shape[d] == 1) continue;
    if (a.nk == kMaxDims) throw NotImplementedError("cumsum/cumprod on cuda: rank above " + std::to_string(kMaxDims));
    a.kdims[a.nk] = x.shape[d], a.kst[a.nk] = xs[d], a.kost[a.nk] = os[d], a.rows *= x.shape[d];
    ++a.nk;
  }
  if (n.size() == 0) return;
  const OpSource s = scan_source(n.op, n.dtype);
  LaunchDims d{unsigned(std::clamp<int64_t>(a.rows, 1, int64_t(sm_count(dev)) * 32)), unsigned(kOpBlock), 0};
  void* params[] = {&a};
  launch(c, load_function(dev, s.source, s.name), d, params);
}

}  // namespace

void register_reduce_ops() {
  register_kernel(DeviceType::CUDA, "any", logical_reduce_kernel);
  register_kernel(DeviceType::CUDA, "all", logical_reduce_kernel);
  register_kernel(DeviceType::CUDA, "argmax", argreduce_kernel);
  register_kernel(DeviceType::CUDA, "argmin", argreduce_kernel);
  register_kernel(DeviceType::CUDA, "cumsum", scan_kernel);
  register_kernel(DeviceType::CUDA, "cumprod", scan_kernel);
}

}  // namespace ember::cuda
