// libember_cub (cub/ember_cub.h), opened with dlopen at the first sort-family op on cuda: from
// $EMBER_CUB_LIBRARY, else next to the binary holding this code (ember._core's folder, where the
// build and the wheel put it), else the loader's search path. Calls run on the context's stream
// with scratch memory from its pool.
#pragma once
#include <cuda.h>

#include <cstdint>
#include <string>

namespace ember::cuda {

struct Context;

// Whether the library loaded (and why not, naming every place tried).
bool cub_available();
std::string cub_why_unavailable();

// Stable radix sort of n keys of `width` bytes over bits [0, end_bit), int64 values carried along
// when vals[0] != 0. keys[0]/vals[0] hold the input, [1] are scratch of the same size; returns the
// index (0 or 1) of the buffers holding the result. CudaError naming CUB's error.
int cub_radix_sort(const Context& c, int width, const CUdeviceptr keys[2], const CUdeviceptr vals[2], int64_t n,
                   int end_bit);
// out[i] = in[0] + ... + in[i] over int64 (out may be in).
void cub_inclusive_sum(const Context& c, CUdeviceptr in, CUdeviceptr out, int64_t n);

}  // namespace ember::cuda
