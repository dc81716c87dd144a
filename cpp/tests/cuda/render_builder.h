// Builds fused KernelDescs by hand for the render and NVRTC tests (nodes as the fusion pass leaves them).
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "ember/graph/kernel.h"

namespace ember::cuda::testing {

struct KernelBuilder {
  explicit KernelBuilder(Shape shape) { k.shape = std::move(shape); }

  // An evaluated input of `shape` (broadcast to the kernel's) read with `strides` (default: contiguous).
  int input(DType t, Shape shape, Strides strides = {}) {
    auto n = std::make_shared<Node>();
    n->op = "leaf";
    n->dtype = t;
    n->shape = shape;
    n->data.strides = strides.empty() ? contiguous_strides(shape) : strides;
    n->evaluated = true;
    regs.push_back(n);
    k.inputs.push_back(n.get());
    return static_cast<int>(regs.size()) - 1;
  }
  int input(DType t) { return input(t, k.shape); }

  int op(std::string_view name, DType out, std::vector<int> args, Params params = {}) {
    auto n = std::make_shared<Node>();
    n->op = name;
    n->kind = Kind::Elementwise;
    n->dtype = out;
    n->shape = k.shape;
    n->params = std::move(params);
    for (int a : args) n->inputs.push_back(regs.at(a));
    regs.push_back(n);
    k.code.push_back({n.get(), std::move(args)});
    return static_cast<int>(regs.size()) - 1;
  }
  int full(DType t, Scalar v) {
    Params p;
    p.scalars = {v};
    return op("full", t, {}, p);
  }
  void output(int r) { k.outputs.push_back(r); }

  // A trailing reduction of register r over `axes` (normalized), without keepdims.
  void reduce(std::string_view name, int r, std::vector<int64_t> axes, std::vector<Scalar> initial = {}) {
    auto n = std::make_shared<Node>();
    n->op = name;
    n->kind = Kind::Reduction;
    n->dtype = regs.at(r)->dtype;
    for (int d = 0; d < static_cast<int>(k.shape.size()); ++d)
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) n->shape.push_back(k.shape[d]);
    n->params.axes = std::move(axes);
    n->params.scalars = std::move(initial);
    n->inputs.push_back(regs.at(r));
    regs.push_back(n);
    k.reduction = n.get();
    k.result = r;
  }

  KernelDesc k;
  std::vector<NodePtr> regs;
};

}  // namespace ember::cuda::testing
