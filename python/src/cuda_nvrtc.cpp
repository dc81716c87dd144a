// ember._core.cuda, its NVRTC side: compiling rendered Kernels and CUDA C++ at run time. Thin.
#include "bindings.h"

namespace ember::py {

void bind_cuda_nvrtc(nb::module_& m) { (void)m.attr("cuda"); }

}  // namespace ember::py
