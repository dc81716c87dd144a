// CUDA C++ of vector_norm, integer matmul and the LAPACK helpers (ops_linalg.h).
#include <cmath>
#include <stdexcept>

#include "ember/backend/cuda/ops_linalg.h"
#include "ember/backend/cuda/render.h"
#include "ember/errors.h"

namespace ember::cuda {

int norm_mode(double ord) {
  if (ord == 1) return kNorm1;
  if (ord == 2) return kNorm2;
  if (std::isinf(ord)) return ord > 0 ? kNormMax : kNormMin;
  if (ord == 0) return kNorm0;
  return kNormP;
}

OpSource vector_norm_source(DType t) {
  if (!is_inexact(t)) throw std::logic_error("cuda vector_norm: the ops layer casts to float64 first");
  const std::string head = std::string("typedef ") + storage_type_name(real_type(t)) + " O;\n#define EM_MAXD " +
                           std::to_string(kMaxDims) + "\n#define EM_B " + std::to_string(kOpBlock) + "\n";
  return make_op_source("vector_norm", t, head + R"EMBER(
struct @K@_args { const T* x; O* out; long long nout, L, nk, ni; double ord; long long mode;
                  long long kdims[EM_MAXD], kst[EM_MAXD], idims[EM_MAXD], ist[EM_MAXD]; };
template <class X> EMD double em_mag(X v) {
  if constexpr (em_cpx<X>) return hypot(static_cast<double>(v.re), static_cast<double>(v.im));
  else return fabs(static_cast<double>(v));
}
EMD double em_term(double v, double ord, long long mode) {
  if (mode == 2) return v * v;
  if (mode == 5) return v != 0 ? 1.0 : 0.0;  // NaN counts as nonzero, as NumPy
  if (mode == 0) return pow(v, ord);
  return v;
}
EMD double em_comb(double a, double b, long long mode) { return mode == 3 ? fmax(a, b) : mode == 4 ? fmin(a, b) : a + b; }
// One block per output; each thread folds a strided share of the row in double, then a tree.
extern "C" __global__ void __launch_bounds__(EM_B) @K@(const @K@_args a) {
  __shared__ double sacc[EM_B];
  __shared__ int snan[EM_B];
  const int t = threadIdx.x;
  const double inf = __longlong_as_double(0x7ff0000000000000ll);
  const double init = a.mode == 4 ? inf : 0.0;
  for (long long j = blockIdx.x; j < a.nout; j += gridDim.x) {
    long long base = 0, q = j;
    for (int d = static_cast<int>(a.nk) - 1; d >= 0; --d) { base += (q % a.kdims[d]) * a.kst[d]; q /= a.kdims[d]; }
    double acc = init;
    int nan = 0;
    for (long long r = t; r < a.L; r += EM_B) {
      long long off = 0, s = r;
      for (int d = static_cast<int>(a.ni) - 1; d >= 0; --d) { off += (s % a.idims[d]) * a.ist[d]; s /= a.idims[d]; }
      const double v = em_mag(em_ld(a.x[base + off]));
      if (v != v) nan = 1;
      acc = em_comb(acc, em_term(v, a.ord, a.mode), a.mode);
    }
    sacc[t] = acc;
    snan[t] = nan;
    __syncthreads();
    for (int w = EM_B / 2; w > 0; w >>= 1) {
      if (t < w) { sacc[t] = em_comb(sacc[t], sacc[t + w], a.mode); snan[t] |= snan[t + w]; }
      __syncthreads();
    }
    if (t == 0) {
      double res = sacc[0];
      if (snan[0] && a.mode != 5) res = __longlong_as_double(0x7ff8000000000000ll);
      else if (a.mode == 2) res = sqrt(res);
      else if (a.mode == 0) res = pow(res, 1.0 / a.ord);
      em_st_d(&a.out[j], res);
    }
    __syncthreads();
  }
}
)EMBER");
}

OpSource int_matmul_source(DType t) {
  if (is_inexact(t)) throw std::logic_error("cuda int matmul: float and complex go through cuBLAS");
  return make_op_source("int_matmul", t, R"EMBER(
struct @K@_args { const T* a; const T* b; T* c; const long long* oa; const long long* ob;
                  long long batch, M, N, K, ars, acs, brs, bcs; };
// 16 x 16 output tiles, one per block iteration; K in 16-wide slabs through shared memory. Integer
// products and sums wrap (summed as 64-bit unsigned, then narrowed: the same residue as NumPy's
// loop in T); bool is OR of ANDs.
extern "C" __global__ void __launch_bounds__(256) @K@(const @K@_args a) {
  __shared__ T ta[16][17];
  __shared__ T tb[16][17];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const long long tm = (a.M + 15) / 16, tn = (a.N + 15) / 16, tiles = a.batch * tm * tn;
  for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const long long bt = tile / (tm * tn), rest = tile % (tm * tn);
    const long long r0 = (rest / tn) * 16, c0 = (rest % tn) * 16;
    const T* A = a.a + a.oa[bt];
    const T* B = a.b + a.ob[bt];
    em_u64 acc = 0;
    bool any = false;
    for (long long k0 = 0; k0 < a.K; k0 += 16) {
      const long long ar = r0 + ty, ak = k0 + tx, bk = k0 + ty, bc = c0 + tx;
      ta[ty][tx] = ar < a.M && ak < a.K ? A[ar * a.ars + ak * a.acs] : T(0);
      tb[ty][tx] = bk < a.K && bc < a.N ? B[bk * a.brs + bc * a.bcs] : T(0);
      __syncthreads();
      for (int kk = 0; kk < 16; ++kk) {
        if constexpr (em_isbool<T>) any = any || (ta[ty][kk] && tb[kk][tx]);
        else acc += static_cast<em_u64>(static_cast<long long>(ta[ty][kk])) * static_cast<em_u64>(static_cast<long long>(tb[kk][tx]));
      }
      __syncthreads();
    }
    const long long r = r0 + ty, cc = c0 + tx;
    if (r < a.M && cc < a.N) {
      if constexpr (em_isbool<T>) a.c[bt * a.M * a.N + r * a.N + cc] = any;
      else a.c[bt * a.M * a.N + r * a.N + cc] = static_cast<T>(acc);
    }
  }
}
)EMBER");
}

OpSource tri_copy_source(int item) {
  const char* e = item == 4 ? "em_u32" : item == 8 ? "em_u64" : item == 16 ? "em_pair16" : nullptr;
  if (!e) throw std::logic_error("cuda tri_copy: no element type of " + std::to_string(item) + " bytes");
  const std::string name = "ember_tri_copy_" + std::to_string(item);
  return make_named_source(name, std::string("struct em_pair16 { em_u64 a, b; };\ntypedef ") + e + " E;\n" +
                                     "extern \"C\" __global__ void " + name + R"EMBER((E* out, const E* src,
    long long batch, long long rows, long long cols, long long sbs, long long srs, long long scs, int mode) {
  EM_GRID_LOOP(i, batch * rows * cols) {
    const long long c = i % cols, r = (i / cols) % rows, b = i / (rows * cols);
    if ((mode == 1 && c > r) || (mode == 2 && c < r)) { out[i] = E{}; continue; }
    out[i] = src[b * sbs + r * srs + c * scs];
  }
}
)EMBER");
}

OpSource lu_det_source(DType t) {
  if (t != DType::Float32 && t != DType::Float64 && t != DType::Complex64 && t != DType::Complex128)
    throw std::logic_error("cuda det: LAPACK dtypes only");
  return make_op_source("lu_det", t, std::string("typedef ") + storage_type_name(real_type(t)) + " R;\n" + R"EMBER(
// det = prod of U's diagonal, negated per row swap; slogdet: sign (a unit complex number for
// complex T) and log|det|. A singular matrix (info > 0): det 0, sign 0 and log|det| = -inf.
template <class X> EMD void em_one(X* v, int one) {
  if constexpr (em_cpx<X>) { v->re = one; v->im = 0; } else { *v = one; }
}
template <class X> EMD X em_unit_of(X d, R mag) {
  if constexpr (em_cpx<X>) { X u; u.re = d.re / mag; u.im = d.im / mag; return u; } else { return d / mag; }
}
extern "C" __global__ void @K@(const T* lu, const long long* ipiv, const int* info, T* out, R* logout,
                               long long batch, long long n, long long ld, long long mbs, int slog) {
  EM_GRID_LOOP(b, batch) {
    const T* m = lu + b * mbs;
    const long long* p = ipiv + b * n;
    T acc;
    em_one(&acc, 1);
    R lg = 0;
    for (long long j = 0; j < n; ++j) {
      T d = m[j + j * ld];
      if (p[j] != j + 1) d = -d;
      if (slog) {
        const R mag = em_abs(d);
        acc = acc * em_unit_of(d, mag);
        lg += em_log(mag);
      } else {
        acc = acc * d;
      }
    }
    if (info[b] > 0) {
      em_one(&acc, 0);
      lg = -static_cast<R>(__longlong_as_double(0x7ff0000000000000ll));
    }
    out[b] = acc;
    if (slog) logout[b] = lg;
  }
}
)EMBER");
}

void append_linalg_sources(std::vector<OpSource>& out) {
  for (DType t : {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64, DType::Complex64, DType::Complex128})
    out.push_back(vector_norm_source(t));
  for (DType t : {DType::Bool, DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::UInt8, DType::UInt16,
                  DType::UInt32, DType::UInt64})
    out.push_back(int_matmul_source(t));
  for (int item : {4, 8, 16}) out.push_back(tri_copy_source(item));
  for (DType t : {DType::Float32, DType::Float64, DType::Complex64, DType::Complex128}) out.push_back(lu_det_source(t));
}

}  // namespace ember::cuda
