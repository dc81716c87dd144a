// vector_norm, matmul of bool and integer dtypes, and the LAPACK ops (through cuSOLVER, cusolver.h)
// on the cuda device: their kernel sources (ops_linalg_sources.cpp) and registration (ops_linalg.cpp).
#pragma once
#include "ember/backend/cuda/ops_sources.h"

namespace ember::cuda {

// vector_norm modes (the host picks one from ord; mode 0 is a general p).
enum NormMode { kNormP = 0, kNorm1 = 1, kNorm2 = 2, kNormMax = 3, kNormMin = 4, kNorm0 = 5 };
int norm_mode(double ord);
// Block per output: x's inexact dtype t, the output its real dtype, accumulated in double as the cpu.
// (const T* x, O* out, nout, L, nk, ni, ord, mode, kdims[], kst[], idims[], ist[]).
OpSource vector_norm_source(DType t);
// Tiled matmul (16 x 16 tiles, 256 threads) for bool and integer dtypes, wrapping as NumPy.
// (const T* a, const T* b, T* c, const long long* oa, const long long* ob, batch, M, N, K, ars, acs, brs, bcs).
OpSource int_matmul_source(DType t);
// A batch of matrices of `item`-byte elements copied with strides into contiguous row-major ones,
// keeping the lower (mode 1) or upper (mode 2) triangle, zeroing the rest (mode 0 keeps all).
OpSource tri_copy_source(int item);
// det (slog = 0) or slogdet (slog = 1) from getrf's LU, 64-bit pivots and infos, thread per matrix.
OpSource lu_det_source(DType t);

void register_linalg_ops();  // vector_norm, matmul (all dtypes), the LAPACK ops, linalg_conj/output

}  // namespace ember::cuda
