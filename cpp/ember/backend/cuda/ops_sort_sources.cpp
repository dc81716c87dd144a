#include "ember/backend/cuda/ops_sort_sources.h"

#include <stdexcept>
#include <string>

namespace ember::cuda {
namespace {

// ops_sort_keys.h's code as one line of text (no # directive may appear inside it).
#define EMBER_SORT_KEYS_EMIT(...) #__VA_ARGS__ "\n"
const char* const kKeysText =
#include "ember/backend/cuda/ops_sort_keys.h"
    ;
#undef EMBER_SORT_KEYS_EMIT

const char* const kHeader = R"EMBER(// ---- ember sort-family kernels ----
#define EM_SK inline __device__
#define EM_MAXD 16
#define EM_GRID_LOOP(i, n) for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
                                i += static_cast<long long>(gridDim.x) * blockDim.x)
struct em_sk_pair { unsigned long long a, b; };
)EMBER";

// The element offset of row-major position q over (dims, strides).
const char* const kOffset = R"EMBER(
EM_SK long long em_sk_off(long long q, long long nd, const long long* dims, const long long* st) {
  long long off = 0;
  for (int d = static_cast<int>(nd) - 1; d >= 0; --d) { off += (q % dims[d]) * st[d]; q /= dims[d]; }
  return off;
}
)EMBER";

const char* const kItemKernels = R"EMBER(
EM_SK void em_sk_bits(em_sk_u64 e, int cpx, em_sk_u64* lo, em_sk_u64* hi) {
  if (cpx) { *lo = e & 0xffffffffull; *hi = e >> 32; } else { *lo = e; *hi = 0; }
}
EM_SK void em_sk_bits(em_sk_pair e, int, em_sk_u64* lo, em_sk_u64* hi) { *lo = e.a; *hi = e.b; }
template <class X> EM_SK void em_sk_store(X* p, em_sk_u64 v) {
  if constexpr (sizeof(X) <= 8) *p = static_cast<X>(v);  // keys-only sorts are of bool and integers only
}
struct em_sk_dt { int kind, nbits, mant, cpx; };
EM_SK void em_sk_load(const E* x, long long i, em_sk_dt t, em_sk_u64* lo, em_sk_u64* hi) { em_sk_bits(x[i], t.cpx, lo, hi); }
EM_SK em_sk_u64 em_sk_key_at(const void* keys, int width, long long i) {
  if (width == 1) return static_cast<const unsigned char*>(keys)[i];
  if (width == 2) return static_cast<const unsigned short*>(keys)[i];
  if (width == 4) return static_cast<const unsigned*>(keys)[i];
  return static_cast<const em_sk_u64*>(keys)[i];
}

// One radix pass's keys for the elements in their current order (perm; the identity, written to
// iota, on the first pass). Lanes are rows of L elements of the packed input.
struct @P@sort_keys_@N@_args {
  const E* x; const long long* perm; long long* iota; void* keys; long long n, L;
  int width, word, wbits, row_shift, invert; em_sk_dt t;
};
extern "C" __global__ void @P@sort_keys_@N@(const @P@sort_keys_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    const long long p = a.perm ? a.perm[i] : i;
    if (a.iota) a.iota[i] = i;
    em_sk_u64 lo, hi;
    em_sk_load(a.x, p, a.t, &lo, &hi);
    const em_sk_u64 row = static_cast<em_sk_u64>(p / a.L);
    const em_sk_u64 k = em_sk_pass_key(lo, hi, row, a.word, a.wbits, a.row_shift, a.invert, a.t.kind, a.t.nbits,
                                       a.t.mant, a.t.cpx);
    if (a.width == 1) static_cast<unsigned char*>(a.keys)[i] = static_cast<unsigned char>(k);
    else if (a.width == 2) static_cast<unsigned short*>(a.keys)[i] = static_cast<unsigned short>(k);
    else if (a.width == 4) static_cast<unsigned*>(a.keys)[i] = static_cast<unsigned>(k);
    else static_cast<em_sk_u64*>(a.keys)[i] = k;
  }
}

// Sorted lane element i (row i / L, rank i % L) to the output: mode 0 its index in the lane
// (argsort), 1 the element itself (gathered from x), 2 the value back from its key (keys-only).
struct @P@sort_emit_@N@_args {
  const E* x; const long long* perm; const void* keys; void* out; long long n, L, ost, nk;
  int mode, width, wbits, invert; em_sk_dt t;
  long long kdims[EM_MAXD], kost[EM_MAXD];
};
extern "C" __global__ void @P@sort_emit_@N@(const @P@sort_emit_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    const long long row = i / a.L, r = i - row * a.L;
    const long long off = em_sk_off(row, a.nk, a.kdims, a.kost) + r * a.ost;
    if (a.mode == 0) {
      static_cast<long long*>(a.out)[off] = a.perm[i] - row * a.L;
    } else if (a.mode == 1) {
      static_cast<E*>(a.out)[off] = a.x[a.perm[i]];
    } else {
      const em_sk_u64 k = em_sk_key_at(a.keys, a.width, i);
      em_sk_store(static_cast<E*>(a.out) + off, em_sk_inverse(k, a.wbits, a.invert, a.t.kind, a.t.nbits));
    }
  }
}

// How many elements of a strided array are nonzero: a block's count, added once per block.
struct @P@nz_count_@N@_args { const E* x; unsigned long long* out; long long n, nd; em_sk_dt t; long long dims[EM_MAXD], st[EM_MAXD]; };
extern "C" __global__ void __launch_bounds__(256) @P@nz_count_@N@(const @P@nz_count_@N@_args a) {
  __shared__ unsigned long long part[256];
  unsigned long long c = 0;
  EM_GRID_LOOP(i, a.n) {
    em_sk_u64 lo, hi;
    em_sk_load(a.x, em_sk_off(i, a.nd, a.dims, a.st), a.t, &lo, &hi);
    c += em_sk_truthy(lo, hi, a.t.kind, a.t.nbits, a.t.cpx) ? 1 : 0;
  }
  part[threadIdx.x] = c;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0 && part[0]) atomicAdd(a.out, part[0]);
}

// flags[i] = 1 where row-major element i is nonzero.
struct @P@nz_flags_@N@_args { const E* x; long long* flags; long long n, nd; em_sk_dt t; long long dims[EM_MAXD], st[EM_MAXD]; };
extern "C" __global__ void @P@nz_flags_@N@(const @P@nz_flags_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    em_sk_u64 lo, hi;
    em_sk_load(a.x, em_sk_off(i, a.nd, a.dims, a.st), a.t, &lo, &hi);
    a.flags[i] = em_sk_truthy(lo, hi, a.t.kind, a.t.nbits, a.t.cpx) ? 1 : 0;
  }
}

// Binary search of each query in x (1-d, stride xst), read through sorter when given. Sorter
// entries out of [0, len) are clamped for the read, and the first such position goes to *bad.
struct @P@searchsorted_@N@_args {
  const E* x; const E* v; const long long* sorter; long long* out; long long* bad;
  long long len, xst, sst, nq, nd; int right; em_sk_dt t; long long dims[EM_MAXD], vst[EM_MAXD];
};
extern "C" __global__ void @P@searchsorted_@N@(const @P@searchsorted_@N@_args a) {
  if (a.sorter) {
    EM_GRID_LOOP(j, a.len) {
      const long long s = a.sorter[j * a.sst];
      if (s < 0 || s >= a.len) atomicMin(a.bad, j);
    }
  }
  EM_GRID_LOOP(q, a.nq) {
    em_sk_u64 vlo, vhi;
    em_sk_load(a.v, em_sk_off(q, a.nd, a.dims, a.vst), a.t, &vlo, &vhi);
    long long lo = 0, hi = a.len;
    while (lo < hi) {
      const long long mid = lo + (hi - lo) / 2;
      long long s = a.sorter ? a.sorter[mid * a.sst] : mid;
      s = s < 0 ? 0 : s >= a.len ? a.len - 1 : s;
      em_sk_u64 xlo, xhi;
      em_sk_load(a.x, s * a.xst, a.t, &xlo, &xhi);
      const int c = em_sk_cmp(xlo, xhi, vlo, vhi, a.t.kind, a.t.nbits, a.t.mant, a.t.cpx);
      if (a.right ? c <= 0 : c < 0) lo = mid + 1; else hi = mid;
    }
    a.out[q] = lo;
  }
}

// flags[i] = 1 where sorted element i starts a new unique value.
struct @P@uniq_bounds_@N@_args { const E* x; const long long* perm; long long* flags; long long n; int equal_nan; em_sk_dt t; };
extern "C" __global__ void @P@uniq_bounds_@N@(const @P@uniq_bounds_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    bool start = i == 0;
    if (!start) {
      em_sk_u64 alo, ahi, blo, bhi;
      em_sk_load(a.x, a.perm[i - 1], a.t, &alo, &ahi);
      em_sk_load(a.x, a.perm[i], a.t, &blo, &bhi);
      start = !em_sk_same(alo, ahi, blo, bhi, a.equal_nan, a.t.kind, a.t.nbits, a.t.mant, a.t.cpx);
    }
    a.flags[i] = start ? 1 : 0;
  }
}

// out[j] = x[idx[j] * xst] (unique's values from their first indices).
struct @P@gather_@N@_args { const E* x; const long long* idx; E* out; long long n, xst; };
extern "C" __global__ void @P@gather_@N@(const @P@gather_@N@_args a) {
  EM_GRID_LOOP(j, a.n) a.out[j] = a.x[a.idx[j] * a.xst];
}
)EMBER";

const char* const kCommonKernels = R"EMBER(
// Row-major element i is nonzero (its inclusive count differs from the one before): its coordinates
// go to column incl[i] - 1 of the (nd, count) output.
struct ember_nz_scatter_args { const long long* incl; long long* out; long long n, count, nd; long long dims[EM_MAXD]; };
extern "C" __global__ void ember_nz_scatter(const ember_nz_scatter_args a) {
  EM_GRID_LOOP(i, a.n) {
    const long long prev = i ? a.incl[i - 1] : 0;
    if (a.incl[i] == prev || prev >= a.count) continue;
    long long q = i;
    for (int d = static_cast<int>(a.nd) - 1; d >= 0; --d) { a.out[d * a.count + prev] = q % a.dims[d]; q /= a.dims[d]; }
  }
}

// unique_info's [k, first (n), counts (n), inverse (n)] from the group starts' inclusive count
// over the sorted order perm; starts[g] = the sorted position where group g begins.
struct ember_uniq_fill_args { const long long* incl; const long long* perm; long long* info; long long* starts; long long n; };
extern "C" __global__ void ember_uniq_fill(const ember_uniq_fill_args a) {
  long long* first = a.info + 1;
  long long* inverse = a.info + 1 + 2 * a.n;
  EM_GRID_LOOP(i, a.n) {
    const long long g = a.incl[i] - 1, prev = i ? a.incl[i - 1] : 0;
    inverse[a.perm[i]] = g;
    if (a.incl[i] != prev) { first[g] = a.perm[i]; a.starts[g] = i; }
    if (i == a.n - 1) a.info[0] = a.incl[i];
  }
}
struct ember_uniq_counts_args { long long* info; const long long* starts; long long n; };
extern "C" __global__ void ember_uniq_counts(const ember_uniq_counts_args a) {
  const long long k = a.info[0];
  long long* counts = a.info + 1 + a.n;
  EM_GRID_LOOP(g, k) counts[g] = (g + 1 < k ? a.starts[g + 1] : a.n) - a.starts[g];
}

// repeat's indices: out[j] = the first i whose inclusive count of repeats exceeds j.
struct ember_repeat_args { const long long* incl; long long* out; long long n, total; };
extern "C" __global__ void ember_repeat(const ember_repeat_args a) {
  EM_GRID_LOOP(j, a.total) {
    long long lo = 0, hi = a.n;
    while (lo < hi) {
      const long long mid = lo + (hi - lo) / 2;
      if (a.incl[mid] <= j) lo = mid + 1; else hi = mid;
    }
    a.out[j] = lo;
  }
}
)EMBER";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

const char* element_type(int item) {
  switch (item) {
    case 1: return "unsigned char";
    case 2: return "unsigned short";
    case 4: return "unsigned";
    case 8: return "unsigned long long";
    case 16: return "em_sk_pair";
    default: throw std::logic_error("cuda sort: no element type of " + std::to_string(item) + " bytes");
  }
}

}  // namespace

std::string sort_kernel_name(const char* base, int item) { return "ember_" + std::string(base) + "_" + std::to_string(item); }

OpSource sort_item_source(int item) {
  std::string body = kItemKernels;
  replace_all(body, "@P@", "ember_");
  replace_all(body, "@N@", std::to_string(item));
  OpSource s;
  s.name = sort_kernel_name("sort_keys", item);
  s.source = std::string(kHeader) + "typedef " + element_type(item) + " E;\n" + kKeysText + kOffset + body;
  return s;
}

OpSource sort_common_source() {
  OpSource s;
  s.name = "ember_nz_scatter";
  s.source = std::string(kHeader) + kOffset + kCommonKernels;
  return s;
}

std::vector<OpSource> sort_op_sources() {
  std::vector<OpSource> out;
  for (int item : {1, 2, 4, 8, 16}) out.push_back(sort_item_source(item));
  out.push_back(sort_common_source());
  return out;
}

}  // namespace ember::cuda
