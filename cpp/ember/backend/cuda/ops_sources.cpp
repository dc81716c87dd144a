#include "ember/backend/cuda/ops_sources.h"

#include "ember/backend/cuda/ops_sort_sources.h"
#include "ember/backend/cuda/render.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

const std::vector<DType>& all_dtypes() {
  static const std::vector<DType> v = {DType::Bool,    DType::Int8,     DType::Int16,   DType::Int32,
                                       DType::Int64,   DType::UInt8,    DType::UInt16,  DType::UInt32,
                                       DType::UInt64,  DType::Float16,  DType::BFloat16, DType::Float32,
                                       DType::Float64, DType::Complex64, DType::Complex128};
  return v;
}

// Helpers shared by the op kernels, after the prelude.
const char* const kOpsHeader = R"EMBER(
// ---- ember op kernels ----
#define EM_GRID_LOOP(i, n) for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
                                i += static_cast<long long>(gridDim.x) * blockDim.x)
// The 16-bit float storage types as a kind of their own, so op templates can ask about any T.
template <> struct em_t<em_f16> { enum { kind = 5 }; };
template <> struct em_t<em_bf16> { enum { kind = 5 }; };
// Stores a double as T: integers as NumPy's casts, 16-bit floats rounded once from double.
template <class T> EMD void em_st_d(T* p, double v) {
  if constexpr (em_isbool<T>) *p = v != 0;
  else if constexpr (em_int<T>) *p = em_cast<T>(v);
  else if constexpr (em_cpx<T>) { p->re = v; p->im = 0; }
  else *p = static_cast<T>(v);
}
EMD void em_st_d(em_f16* p, double v) { *p = em_d2h(v); }
EMD void em_st_d(em_bf16* p, double v) { *p = em_f2b(static_cast<float>(v)); }
)EMBER";

std::string typedefs(DType t) {
  return std::string("typedef ") + storage_type_name(t) + " T;\ntypedef " + compute_type_name(t) + " C;\n";
}

OpSource make(const std::string& base, DType t, const std::string& body) {
  OpSource s;
  s.name = "ember_" + base + "_" + std::string(dtype_name(t));
  std::string text = typedefs(t) + body;
  for (size_t at = text.find("@K@"); at != std::string::npos; at = text.find("@K@", at)) text.replace(at, 3, s.name);
  s.source = prelude() + kOpsHeader + text;
  return s;
}

// The rounding of a 16-bit float result kept in a float (NumPy rounds after every operation).
std::string round_fn(DType t) {
  if (t == DType::Float16) return "em_rf16";
  if (t == DType::BFloat16) return "em_rbf16";
  return "";
}

}  // namespace

OpSource make_op_source(const std::string& base, DType t, const std::string& body) { return make(base, t, body); }

OpSource make_named_source(const std::string& name, const std::string& body) {
  return {name, prelude() + kOpsHeader + body};
}

OpSource arange_source(DType t) {
  return make("arange", t, R"EMBER(
// A template, so the branches other dtypes take are never instantiated.
template <class X> EMD void em_arange(X* p, long long i, long long i0, long long ist, double s0, double st, double s0i, double sti) {
  if constexpr (em_int<X>) {
    *p = static_cast<X>(static_cast<em_u64>(i0) + static_cast<em_u64>(i) * static_cast<em_u64>(ist));
  } else if constexpr (em_cpx<X>) {
    typedef decltype(p->re) R;
    p->re = static_cast<R>(s0) + static_cast<R>(i) * static_cast<R>(st);
    p->im = static_cast<R>(s0i) + static_cast<R>(i) * static_cast<R>(sti);
  } else {
    em_st_d(p, s0 + static_cast<double>(i) * st);
  }
}
extern "C" __global__ void @K@(T* out, long long n, long long i0, long long ist, double s0, double st, double s0i, double sti) {
  EM_GRID_LOOP(i, n) em_arange(&out[i], i, i0, ist, s0, st, s0i, sti);
}
)EMBER");
}

OpSource linspace_source(DType t) {
  if (!is_inexact(t)) throw NotImplementedError("linspace on cuda computes in float or complex dtypes only");
  // As the cpu: the value in double, converted to the compute type, then stored.
  return make("linspace", t, R"EMBER(
template <class X> EMD void em_lin_st(X* p, double v) {
  if constexpr (em_cpx<X>) { typedef decltype(p->re) R; p->re = static_cast<R>(v); p->im = 0; }
  else em_st(p, static_cast<decltype(em_ld(*p))>(v));
}
extern "C" __global__ void @K@(T* out, long long n, double start, double step, double stop, int endpoint, int has_step) {
  EM_GRID_LOOP(i, n) {
    double v = has_step ? start + static_cast<double>(i) * step : start;
    if (endpoint && n > 1 && i == n - 1) v = stop;
    em_lin_st(&out[i], v);
  }
}
)EMBER");
}

OpSource eye_source(DType t) {
  return make("eye", t, R"EMBER(
extern "C" __global__ void @K@(T* out, long long rows, long long cols, long long k) {
  EM_GRID_LOOP(i, rows * cols) {
    const long long r = i / cols, c = i % cols;
    em_st_d(&out[i], c == r + k ? 1.0 : 0.0);
  }
}
)EMBER");
}

OpSource copy_source(int item) {
  const char* e = item == 1 ? "em_u8" : item == 2 ? "em_u16" : item == 4 ? "em_u32" : item == 8 ? "em_u64" : nullptr;
  std::string elem = e ? e : "em_pair";
  if (!e && item != 16) throw std::logic_error("cuda copy: no element type of " + std::to_string(item) + " bytes");
  OpSource s;
  s.name = "ember_copy_" + std::to_string(item);
  s.source = prelude() + kOpsHeader + "struct em_pair { em_u64 a, b; };\ntypedef " + elem + " E;\n" +
             "struct " + s.name + "_args { E* dst; const E* src; long long n; long long nd; long long dims[" +
             std::to_string(kMaxDims) + "], dst_st[" + std::to_string(kMaxDims) + "], src_st[" +
             std::to_string(kMaxDims) + "]; };\n" + "extern \"C\" __global__ void " + s.name + "(const " + s.name +
             R"EMBER(_args a) {
  EM_GRID_LOOP(i, a.n) {
    long long q = i, od = 0, os = 0;
    for (int d = static_cast<int>(a.nd) - 1; d >= 0; --d) {
      const long long c = q % a.dims[d];
      q /= a.dims[d];
      od += c * a.dst_st[d];
      os += c * a.src_st[d];
    }
    a.dst[od] = a.src[os];
  }
}
)EMBER";
  return s;
}

OpSource random_source(DType t) {
  if (is_complex(t) || t == DType::Bool || t == DType::Float16 || t == DType::BFloat16)
    throw NotImplementedError("random on cuda: no generator for dtype " + std::string(dtype_name(t)));
  // Philox4x32-10 (Salmon et al., SC'11), element i from the block (key, counter + i): the same
  // words as the cpu's kernel, so both devices draw the same numbers for one seed.
  return make("random", t, R"EMBER(
EMD void em_philox(em_u64 key, em_u64 ctr, em_u32 c[4]) {
  c[0] = static_cast<em_u32>(ctr); c[1] = static_cast<em_u32>(ctr >> 32); c[2] = 0; c[3] = 0;
  em_u32 k0 = static_cast<em_u32>(key), k1 = static_cast<em_u32>(key >> 32);
  for (int r = 0; r < 10; ++r) {
    const em_u64 p0 = 0xD2511F53ull * c[0], p1 = 0xCD9E8D57ull * c[2];
    const em_u32 n0 = static_cast<em_u32>(p1 >> 32) ^ c[1] ^ k0, n2 = static_cast<em_u32>(p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0; c[1] = static_cast<em_u32>(p1); c[2] = n2; c[3] = static_cast<em_u32>(p0);
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
}
EMD em_u64 em_word64(const em_u32 c[4], int i) { return (static_cast<em_u64>(c[2 * i]) << 32) | c[2 * i + 1]; }
EMD double em_unit(em_u64 bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }
EMD em_u64 em_below(em_u64 bits, em_u64 range) { return range == 0 ? bits : __umul64hi(bits, range); }
extern "C" __global__ void @K@(T* out, long long n, em_u64 key, em_u64 ctr, int kind, long long low, em_u64 range) {
  if (kind == 3) {  // permutation: Fisher-Yates is sequential; one thread walks it (as the cpu)
    if constexpr (sizeof(T) == 8 && em_sint<T>) {
      if (blockIdx.x != 0 || threadIdx.x != 0) return;
      for (long long i = 0; i < n; ++i) out[i] = i;
      for (long long i = n - 1; i > 0; --i) {
        em_u32 c[4];
        em_philox(key, ctr + static_cast<em_u64>(i), c);
        const long long j = static_cast<long long>(em_below(em_word64(c, 0), static_cast<em_u64>(i + 1)));
        const T v = out[i]; out[i] = out[j]; out[j] = v;
      }
    }
    return;
  }
  EM_GRID_LOOP(i, n) {
    em_u32 c[4];
    em_philox(key, ctr + static_cast<em_u64>(i), c);
    if (kind == 2) {
      out[i] = static_cast<T>(static_cast<long long>(static_cast<em_u64>(low) + em_below(em_word64(c, 0), range)));
    } else if constexpr (em_flt<T>) {
      double v;
      if (kind == 0) {
        v = em_unit(em_word64(c, 0));
        if constexpr (sizeof(T) == 4) {  // rounding up to 1.0 would leave [0, 1)
          v = static_cast<double>(static_cast<float>(v));
          if (v >= 1.0) v = 0x1.fffffep-1;
        }
      } else {
        const double u1 = 1.0 - em_unit(em_word64(c, 0)), u2 = em_unit(em_word64(c, 1));
        v = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
      }
      out[i] = static_cast<T>(v);
    }
  }
}
)EMBER");
}

OpSource argreduce_source(std::string_view op, DType t) {
  if (op != "argmax" && op != "argmin") throw std::logic_error("cuda argreduce: " + std::string(op));
  const std::string beats = op == "argmax" ? "em_lt(b, v)" : "em_lt(v, b)";
  // NumPy: the first NaN wins; otherwise the first extreme value.
  std::string body = "#define EM_MAXD " + std::to_string(kMaxDims) + "\n#define EM_B " + std::to_string(kOpBlock) +
                     "\n" + R"EMBER(
EMD bool em_better(C v, long long i, C b, long long bi) {
  if (bi < 0) return i >= 0;
  if (i < 0) return false;
  if (em_nan(b)) return em_nan(v) && i < bi;
  if (em_nan(v)) return true;
  if (@BEATS@) return true;
  return !em_lt(v, b) && !em_lt(b, v) && i < bi;
}
struct @K@_args { const T* x; long long* out; long long nout, L, nk, ast; long long kdims[EM_MAXD], kst[EM_MAXD]; };
extern "C" __global__ void __launch_bounds__(EM_B) @K@(const @K@_args a) {
  __shared__ C sv[EM_B];
  __shared__ long long si[EM_B];
  const int t = threadIdx.x;
  for (long long j = blockIdx.x; j < a.nout; j += gridDim.x) {
    long long base = 0, q = j;
    for (int d = static_cast<int>(a.nk) - 1; d >= 0; --d) { base += (q % a.kdims[d]) * a.kst[d]; q /= a.kdims[d]; }
    C b{}; long long bi = -1;
    for (long long r = t; r < a.L; r += EM_B) {
      const C v = em_ld(a.x[base + r * a.ast]);
      if (em_better(v, r, b, bi)) { b = v; bi = r; }
    }
    sv[t] = b; si[t] = bi;
    __syncthreads();
    for (int w = EM_B / 2; w > 0; w >>= 1) {
      if (t < w && em_better(sv[t + w], si[t + w], sv[t], si[t])) { sv[t] = sv[t + w]; si[t] = si[t + w]; }
      __syncthreads();
    }
    if (t == 0) a.out[j] = si[0];
    __syncthreads();
  }
}
)EMBER";
  body.replace(body.find("@BEATS@"), 7, beats);
  return make(std::string(op), t, body);
}

OpSource scan_source(std::string_view op, DType t) {
  if (op != "cumsum" && op != "cumprod") throw std::logic_error("cuda scan: " + std::string(op));
  const bool sum = op == "cumsum";
  std::string ident;
  if (is_complex(t)) ident = sum ? "C{0, 0}" : "C{1, 0}";
  else if (t == DType::Bool) ident = sum ? "false" : "true";
  else ident = sum ? "static_cast<C>(0)" : "static_cast<C>(1)";
  const std::string fn = sum ? "em_add" : "em_multiply";
  const std::string rnd = round_fn(t);
  return make(std::string(op), t, "#define EM_MAXD " + std::to_string(kMaxDims) + "\n#define EM_B " +
                                      std::to_string(kOpBlock) + "\nEMD C em_op(C x, C y) { return " + rnd + "(" + fn +
                                      "(x, y)); }\nEMD C em_id() { return " + ident + "; }\n" + R"EMBER(
struct @K@_args { const T* x; T* out; long long rows, L, nk, ast, aost, initial; long long kdims[EM_MAXD], kst[EM_MAXD], kost[EM_MAXD]; };
// One block per row: chunks of EM_B elements, each scanned in shared memory (Hillis-Steele) and
// added to the carry of the chunks before it.
extern "C" __global__ void __launch_bounds__(EM_B) @K@(const @K@_args a) {
  __shared__ C sh[EM_B];
  const int t = threadIdx.x;
  for (long long j = blockIdx.x; j < a.rows; j += gridDim.x) {
    long long ib = 0, ob = 0, q = j;
    for (int d = static_cast<int>(a.nk) - 1; d >= 0; --d) {
      const long long c = q % a.kdims[d];
      q /= a.kdims[d];
      ib += c * a.kst[d];
      ob += c * a.kost[d];
    }
    if (a.initial && t == 0) em_st(&a.out[ob], em_id());
    C carry = em_id();
    for (long long s = 0; s < a.L; s += EM_B) {
      const long long r = s + t;
      sh[t] = r < a.L ? em_ld(a.x[ib + r * a.ast]) : em_id();
      __syncthreads();
      for (int off = 1; off < EM_B; off <<= 1) {
        const C prev = t >= off ? sh[t - off] : em_id();
        __syncthreads();
        if (t >= off) sh[t] = em_op(prev, sh[t]);
        __syncthreads();
      }
      if (r < a.L) em_st(&a.out[ob + (r + a.initial) * a.aost], em_op(carry, sh[t]));
      const C total = sh[EM_B - 1];
      __syncthreads();
      carry = em_op(carry, total);
    }
  }
}
)EMBER");
}

std::vector<OpSource> all_op_sources() {
  std::vector<OpSource> out;
  for (DType t : all_dtypes()) {
    out.push_back(arange_source(t));
    if (is_inexact(t)) out.push_back(linspace_source(t));
    out.push_back(eye_source(t));
    if (!is_complex(t) && t != DType::Bool && t != DType::Float16 && t != DType::BFloat16) out.push_back(random_source(t));
    out.push_back(argreduce_source("argmax", t));
    out.push_back(argreduce_source("argmin", t));
    if (t != DType::Bool) {
      out.push_back(scan_source("cumsum", t));
      out.push_back(scan_source("cumprod", t));
    }
  }
  for (int item : {1, 2, 4, 8, 16}) out.push_back(copy_source(item));
  append_index_sources(out);   // ops_index_sources.cpp
  append_linalg_sources(out);  // ops_linalg_sources.cpp
  for (OpSource& s : sort_op_sources()) out.push_back(std::move(s));
  return out;
}

}  // namespace ember::cuda
