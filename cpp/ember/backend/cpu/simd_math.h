// SIMD versions of the float32/float64 instructions (Highway, dispatched at run time to the best
// instruction set of the machine), including vector math for the transcendental functions.
#pragma once
#include <functional>
#include <string_view>

#include "ember/backend/cpu/fused_ops.h"

namespace ember::cpu {

// While set (per thread), SIMD instructions write with non-temporal stores: the fused interpreter sets
// it for outputs too large to stay in cache, saving the read-for-ownership of every output line.
extern thread_local bool g_stream_stores;
// Orders this thread's non-temporal stores before what follows (call before results are shared).
void flush_streams();

// Folds a contiguous run of n >= 1 values into *out.
using FoldFn = void (*)(const void* x, int64_t n, void* out);

// Calls install(op, dtype, fn) for every instruction that has a SIMD version.
void install_simd_math(const std::function<void(std::string_view, DType, InstrFn)>& install);
// SIMD sum (pairwise, as NumPy), max and min (NaN-propagating) for float32/float64; null otherwise.
FoldFn simd_fold(std::string_view op, DType t);

}  // namespace ember::cpu
