// The parameter blocks of the sort-family kernels (ops_sort_sources.cpp), field for field the
// structs the kernels take by value (8-byte words, then 4-byte ints; SkDt is em_sk_dt). Shared by
// the launchers and the host tests that run the kernels' text.
#pragma once
#include <cstdint>

#include "ember/backend/cuda/ops_sources.h"

namespace ember::cuda {

// em_sk_dt of the kernels: the transform parameters of a dtype.
struct SkDt {
  int32_t kind, nbits, mant, cpx;
};

struct KeysArgs {
  uint64_t x, perm, iota, keys;
  int64_t n, L;
  int32_t width, word, wbits, row_shift, invert;
  SkDt t;
};

struct EmitArgs {
  uint64_t x, perm, keys, out;
  int64_t n, L, ost, nk;
  int32_t mode, width, wbits, invert;
  SkDt t;
  int64_t kdims[kMaxDims], kost[kMaxDims];
};

struct SearchArgs {
  uint64_t x, v, sorter, out, bad;
  int64_t len, xst, sst, nq, nd;
  int32_t right;
  SkDt t;
  int64_t dims[kMaxDims], vst[kMaxDims];
};

struct NzArgs {
  uint64_t x, out;
  int64_t n, nd;
  SkDt t;
  int64_t dims[kMaxDims], st[kMaxDims];
};

struct ScatterArgs {
  uint64_t incl, out;
  int64_t n, count, nd;
  int64_t dims[kMaxDims];
};

struct RepeatArgs {
  uint64_t incl, out;
  int64_t n, total;
};

struct BoundsArgs {
  uint64_t x, perm, flags;
  int64_t n;
  int32_t equal_nan;
  SkDt t;
};

struct FillArgs {
  uint64_t incl, perm, info, starts;
  int64_t n;
};

struct CountsArgs {
  uint64_t info, starts;
  int64_t n;
};

struct GatherArgs {
  uint64_t x, idx, out;
  int64_t n, xst;
};

}  // namespace ember::cuda
