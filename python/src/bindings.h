// Shared declarations of the binding files: each binds one area of the op surface.
#pragma once
#include <nanobind/nanobind.h>

#include "ember/array.h"
#include "ember/scalar.h"

namespace nb = nanobind;

namespace ember::py {

void bind_errors(nb::module_& m);
void bind_array(nb::module_& m);
void bind_creation(nb::module_& m);
void bind_elementwise(nb::module_& m);
void bind_manipulation(nb::module_& m);
void bind_indexing(nb::module_& m);
void bind_reduction(nb::module_& m);
void bind_sorting(nb::module_& m);
void bind_linalg(nb::module_& m);
void bind_random(nb::module_& m);
void bind_engine(nb::module_& m);
void bind_jit(nb::module_& m);           // jit.cpp: tracing, plans, control-flow nodes
void bind_introspect(nb::module_& m);  // introspect.cpp: graph records, profile, trace, EMBER_DEBUG
void bind_export(nb::module_& m);      // export.cpp: the graph with its parameters, for ember.onnx
void bind_distributed(nb::module_& m);  // only when built with MPI (EMBER_HAVE_MPI)
void bind_device(nb::module_& m);       // device.cpp: placement, transfers, the default device
void bind_cuda(nb::module_& m);         // only when built with the cuda device (EMBER_HAVE_CUDA): ember._core.cuda
void bind_cuda_nvrtc(nb::module_& m);   // the NVRTC side of ember._core.cuda (after bind_cuda)
void bind_pim(nb::module_& m);          // only when built with the pim device (EMBER_HAVE_PIM)

// A Python bool/int/float/complex as a Scalar (TypeError for anything else).
Scalar to_scalar(nb::handle h);
// An operand: a _core.Array, or a Python scalar made a weak 0-d array.
Array to_operand(nb::handle h);
// A shape from an int or a sequence of ints.
Shape to_shape(nb::handle h);

}  // namespace ember::py
