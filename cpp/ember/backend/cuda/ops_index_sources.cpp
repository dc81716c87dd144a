// CUDA C++ of gather, scatter, the index plan and the scatter winners (see ops_index.h).
#include <stdexcept>

#include "ember/backend/cuda/ops_index.h"

namespace ember::cuda {
namespace {

const char* elem_type(int item) {
  switch (item) {
    case 1: return "em_u8";
    case 2: return "em_u16";
    case 4: return "em_u32";
    case 8: return "em_u64";
    case 16: return "em_pair16";
    default: throw std::logic_error("cuda index: no element type of " + std::to_string(item) + " bytes");
  }
}

std::string with_item(std::string body, int item) {
  const std::string k = std::to_string(item);
  for (size_t at = body.find("@N@"); at != std::string::npos; at = body.find("@N@", at)) body.replace(at, 3, k);
  return "#define EM_MAXD " + std::to_string(kMaxDims) + "\n#ifndef EM_PAIR16\n#define EM_PAIR16\nstruct em_pair16 { em_u64 a, b; };\n#endif\ntypedef " +
         elem_type(item) + " E" + k + ";\n" + body;
}

}  // namespace

std::string index_plan_body() {
  return "#define EM_MAXD " + std::to_string(kMaxDims) + R"EMBER(
struct ember_index_plan_args {
  const long long* idx[EM_MAXD]; long long* adv; em_u64* err;
  long long B, nb, nidx; long long bdims[EM_MAXD]; long long ist[EM_MAXD][EM_MAXD];
  long long size[EM_MAXD], stride[EM_MAXD];
};
// adv[b] = sum over index arrays j of (idx_j[b] wrapped) * stride_j. An index out of bounds
// records j * B + b; the smallest such key is the error the cpu would raise first.
extern "C" __global__ void ember_index_plan(const ember_index_plan_args a) {
  EM_GRID_LOOP(b, a.B) {
    long long off = 0;
    for (int j = 0; j < static_cast<int>(a.nidx); ++j) {
      long long q = b, o = 0;
      for (int d = static_cast<int>(a.nb) - 1; d >= 0; --d) { o += (q % a.bdims[d]) * a.ist[j][d]; q /= a.bdims[d]; }
      long long v = a.idx[j][o];
      if (v < -a.size[j] || v >= a.size[j]) {
        atomicMin(a.err, static_cast<em_u64>(j) * static_cast<em_u64>(a.B) + static_cast<em_u64>(b));
        v = 0;
      } else if (v < 0) {
        v += a.size[j];
      }
      off += v * a.stride[j];
    }
    a.adv[b] = off;
  }
}
)EMBER";
}

std::string scatter_winners_body() {
  return R"EMBER(
struct ember_scatter_winners_args { const long long* adv; em_u64* keys; em_u64* vals; unsigned char* keep; long long B, mask; };
// Open addressing keyed by the target offset (stored with its sign bit flipped, so the empty key,
// all ones, is an offset no view has); each slot keeps 1 + the largest index position aimed at it.
static __device__ long long em_slot(long long k, long long mask) {
  em_u64 h = static_cast<em_u64>(k) * 0x9E3779B97F4A7C15ull;
  return static_cast<long long>(h ^ (h >> 31)) & mask;
}
extern "C" __global__ void ember_scatter_claim(const ember_scatter_winners_args a) {
  EM_GRID_LOOP(b, a.B) {
    const em_u64 key = static_cast<em_u64>(a.adv[b]) ^ 0x8000000000000000ull;
    for (long long s = em_slot(a.adv[b], a.mask);; s = (s + 1) & a.mask) {
      const em_u64 prev = atomicCAS(&a.keys[s], ~0ull, key);
      if (prev == ~0ull || prev == key) { atomicMax(&a.vals[s], static_cast<em_u64>(b) + 1); break; }
    }
  }
}
extern "C" __global__ void ember_scatter_keep(const ember_scatter_winners_args a) {
  EM_GRID_LOOP(b, a.B) {
    const em_u64 key = static_cast<em_u64>(a.adv[b]) ^ 0x8000000000000000ull;
    long long s = em_slot(a.adv[b], a.mask);
    while (a.keys[s] != key) s = (s + 1) & a.mask;
    a.keep[b] = a.vals[s] == static_cast<em_u64>(b) + 1;
  }
}
)EMBER";
}

std::string gather_body(int item) {
  return with_item(R"EMBER(
struct ember_gather_@N@_args {
  const E@N@* src; E@N@* out; const long long* adv; long long n, B, npre, npost;
  long long pre_dims[EM_MAXD], pre_st[EM_MAXD], post_dims[EM_MAXD], post_st[EM_MAXD];
};
// out (pre, b, post), contiguous = src[pre offset + adv[b] + post offset].
extern "C" __global__ void ember_gather_@N@(const ember_gather_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    long long q = i, off = 0;
    for (int d = static_cast<int>(a.npost) - 1; d >= 0; --d) { off += (q % a.post_dims[d]) * a.post_st[d]; q /= a.post_dims[d]; }
    const long long b = q % a.B;
    q /= a.B;
    for (int d = static_cast<int>(a.npre) - 1; d >= 0; --d) { off += (q % a.pre_dims[d]) * a.pre_st[d]; q /= a.pre_dims[d]; }
    a.out[i] = a.src[off + a.adv[b]];
  }
}
)EMBER",
                   item);
}

std::string scatter_body(int item) {
  return with_item(R"EMBER(
struct ember_scatter_@N@_args {
  E@N@* dst; const E@N@* val; const long long* adv; const unsigned char* keep; long long n, B, npre, npost, nb;
  long long pre_dims[EM_MAXD], pre_st[EM_MAXD], pre_vst[EM_MAXD];
  long long post_dims[EM_MAXD], post_st[EM_MAXD], post_vst[EM_MAXD];
  long long bdims[EM_MAXD], b_vst[EM_MAXD];
};
// dst[pre + adv[b] + post] = val[(pre, b, post)] for the winning b of each target (keep[b]).
extern "C" __global__ void ember_scatter_@N@(const ember_scatter_@N@_args a) {
  EM_GRID_LOOP(i, a.n) {
    long long q = i, off = 0, voff = 0;
    for (int d = static_cast<int>(a.npost) - 1; d >= 0; --d) {
      const long long c = q % a.post_dims[d];
      q /= a.post_dims[d];
      off += c * a.post_st[d];
      voff += c * a.post_vst[d];
    }
    const long long b = q % a.B;
    q /= a.B;
    if (!a.keep[b]) continue;
    for (int d = static_cast<int>(a.npre) - 1; d >= 0; --d) {
      const long long c = q % a.pre_dims[d];
      q /= a.pre_dims[d];
      off += c * a.pre_st[d];
      voff += c * a.pre_vst[d];
    }
    q = b;
    for (int d = static_cast<int>(a.nb) - 1; d >= 0; --d) { voff += (q % a.bdims[d]) * a.b_vst[d]; q /= a.bdims[d]; }
    a.dst[off + a.adv[b]] = a.val[voff];
  }
}
)EMBER",
                   item);
}

OpSource index_plan_source() { return make_named_source("ember_index_plan", index_plan_body()); }
OpSource scatter_winners_source() { return make_named_source("ember_scatter_claim", scatter_winners_body()); }
OpSource gather_source(int item) { return make_named_source("ember_gather_" + std::to_string(item), gather_body(item)); }
OpSource scatter_source(int item) {
  return make_named_source("ember_scatter_" + std::to_string(item), scatter_body(item));
}

void append_index_sources(std::vector<OpSource>& out) {
  out.push_back(index_plan_source());
  out.push_back(scatter_winners_source());
  for (int item : {1, 2, 4, 8, 16}) {
    out.push_back(gather_source(item));
    out.push_back(scatter_source(item));
  }
}

}  // namespace ember::cuda
