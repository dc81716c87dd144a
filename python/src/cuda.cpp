// ember._core.cuda: the cuda device's runtime seen from Python (availability, memory pool). Thin.
#include "bindings.h"

namespace ember::py {

void bind_cuda(nb::module_& m) { m.def_submodule("cuda", "the cuda device (driver API, NVRTC, cuBLAS via dlopen)"); }

}  // namespace ember::py
