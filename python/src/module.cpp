// The extension module ember._core: the C++ core, seen from Python.
#include "bindings.h"

NB_MODULE(_core, m) {
  m.doc() = "ember's C++ core: lazy arrays, the op surface and the devices";
  ember::py::bind_errors(m);
  ember::py::bind_array(m);
  ember::py::bind_creation(m);
  ember::py::bind_elementwise(m);
  ember::py::bind_manipulation(m);
  ember::py::bind_indexing(m);
  ember::py::bind_reduction(m);
  ember::py::bind_sorting(m);
  ember::py::bind_linalg(m);
  ember::py::bind_random(m);
  ember::py::bind_device(m);
#ifdef EMBER_HAVE_PIM
  ember::py::bind_pim(m);
#endif
#ifdef EMBER_HAVE_CUDA
  ember::py::bind_cuda(m);
  ember::py::bind_cuda_nvrtc(m);
#endif
  ember::py::bind_engine(m);
  ember::py::bind_jit(m);
  ember::py::bind_introspect(m);
  ember::py::bind_export(m);
#ifdef EMBER_HAVE_MPI
  ember::py::bind_distributed(m);
#endif
}
