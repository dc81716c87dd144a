// Where a cuda kernel reads its operands: device arrays in place, and the 0-d host values that
// join cuda operations (Python scalars, NumPy scalars) copied to small device blocks for the launch.
#pragma once
#include <cuda.h>

#include <memory>
#include <vector>

#include "ember/graph/node.h"

namespace ember::cuda {

struct Context;

// The GPU the operands live on (all must agree: NotImplementedError otherwise); current_device()
// when none is on cuda (creation ops, host scalars only).
int operand_device(const std::vector<const Node*>& operands);

class Operands {
 public:
  explicit Operands(Context& c) : c_(c) {}
  // The device address of the node's first element: a cuda array's memory, or a copy of a 0-d
  // host value (kept alive until this object dies; the pool orders its reuse on the stream).
  CUdeviceptr address(const Node& n);

 private:
  Context& c_;
  std::vector<std::shared_ptr<Buffer>> keep_;
};

}  // namespace ember::cuda
