#include "ember/graph/kernel.h"

#include <sstream>

namespace ember {

Node* KernelDesc::reg_node(int r) const {
  int n = static_cast<int>(inputs.size());
  return r < n ? inputs[r] : code[r - n].node;
}

std::vector<Node*> KernelDesc::produced() const {
  std::vector<Node*> out;
  each_produced([&](Node* n) { out.push_back(n); });
  return out;
}

std::string describe(const std::vector<KernelDesc>& kernels) {
  std::ostringstream s;
  int k = 0;
  for (const KernelDesc& kn : kernels) {
    s << "kernel " << k++ << ": ";
    if (kn.single) {
      s << kn.single->op << " " << dtype_name(kn.single->dtype) << " " << shape_str(kn.single->shape) << "\n";
      continue;
    }
    const MatvecEnds& mv = kn.matvec;
    s << (mv.transposed ? "fused matvec " : "fused ") << shape_str(kn.shape) << "\n";
    for (size_t i = 0; i < kn.inputs.size(); ++i) {
      const int r = static_cast<int>(i);
      if (mv.transposed && r == mv.product)
        s << "  %" << i << " = matmul %" << mv.matrix << " %" << mv.vector << " " << dtype_name(kn.inputs[i]->dtype)
          << " " << shape_str(kn.inputs[i]->shape) << "\n";
      else
        s << "  %" << i << " = load " << dtype_name(kn.inputs[i]->dtype) << " " << shape_str(kn.inputs[i]->shape) << "\n";
    }
    for (size_t i = 0; i < kn.code.size(); ++i) {
      const Instr& in = kn.code[i];
      s << "  %" << kn.inputs.size() + i << " = " << in.node->op << " " << dtype_name(in.node->dtype);
      for (int a : in.args) s << " %" << a;
      s << "\n";
    }
    for (int r : kn.outputs) s << "  store %" << r << "\n";
    if (kn.reduction) {
      s << "  reduce " << kn.reduction->op << " %" << kn.result << " axes (";
      for (size_t i = 0; i < kn.reduction->params.axes.size(); ++i)
        s << (i ? ", " : "") << kn.reduction->params.axes[i];
      s << ") -> " << dtype_name(kn.reduction->dtype) << " " << shape_str(kn.reduction->shape) << "\n";
    }
    if (mv.transposed)
      s << "  matmul transpose(%" << mv.matrix << ") %" << mv.residual << " -> " << dtype_name(mv.transposed->dtype) << " "
        << shape_str(mv.transposed->shape) << "\n";
  }
  return s.str();
}

}  // namespace ember
