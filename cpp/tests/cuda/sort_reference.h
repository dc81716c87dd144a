// NumPy's sort order written out for the cuda sort tests (from npysort's documented rules: NaNs
// last; complex [R + Rj, R + nanj, nan + Rj, nan + nanj]), and samples of awkward bit patterns.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "ember/backend/cuda/ops_sort_plan.h"

namespace ember::cuda {

// An element as the kernels see it: its bit pattern (complex: real part in lo, imaginary in hi).
struct Elem {
  uint64_t lo = 0, hi = 0;
};

inline double half_to_double(uint64_t b) {
  const int e = int((b >> 10) & 31), m = int(b & 1023);
  const double s = (b & 0x8000) ? -1.0 : 1.0;
  if (e == 31) return m ? std::nan("") : s * INFINITY;
  return e ? s * std::ldexp(1024 + m, e - 25) : s * std::ldexp(m, -24);
}

inline double part(uint64_t bits, const SortKeyType& k) {
  if (k.nbits == 64) { double d; std::memcpy(&d, &bits, 8); return d; }
  if (k.nbits == 32) { uint32_t u = uint32_t(bits); float f; std::memcpy(&f, &u, 4); return f; }
  if (k.mant == 10) return half_to_double(bits);
  uint32_t u = uint32_t(bits) << 16;  // bfloat16
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// NumPy's order of two elements (npysort's LT / CLT), from their values.
inline bool numpy_less(const Elem& a, const Elem& b, const SortKeyType& k) {
  if (k.kind == 0) return (a.lo & 0xff) == 0 && (b.lo & 0xff) != 0;
  if (k.kind != 3) {
    if (k.kind == 2) return a.lo < b.lo;
    const int sh = 64 - k.nbits;
    return (int64_t(a.lo << sh) >> sh) < (int64_t(b.lo << sh) >> sh);
  }
  const double ar = part(a.lo, k), br = part(b.lo, k);
  if (!k.cpx) return ar < br || (std::isnan(br) && !std::isnan(ar));
  const double ai = part(a.hi, k), bi = part(b.hi, k);
  if (ar < br) return !std::isnan(ai) || std::isnan(bi);
  if (ar > br) return std::isnan(bi) && !std::isnan(ai);
  if (ar == br || (std::isnan(ar) && std::isnan(br))) return ai < bi || (std::isnan(bi) && !std::isnan(ai));
  return std::isnan(br);
}

inline const DType kDtypes[] = {DType::Bool,   DType::Int8,    DType::Int16,    DType::Int32,   DType::Int64,
                   DType::UInt8,  DType::UInt16,  DType::UInt32,   DType::UInt64,  DType::Float16,
                   DType::BFloat16, DType::Float32, DType::Float64, DType::Complex64, DType::Complex128};

// Awkward values of one part: zeros of both signs, infinities, NaNs of both signs and several
// payloads, the smallest subnormals, the extremes, and repeats (so stability is visible).
inline std::vector<uint64_t> specials(const SortKeyType& k) {
  const int nb = k.nbits;
  const uint64_t sign = 1ull << (nb - 1), all = nb == 64 ? ~0ull : (1ull << nb) - 1;
  if (k.kind == 0) return {0, 1};
  if (k.kind != 3) return {0, 1, 2, sign, sign - 1, sign + 1, all, all - 1, 5, 5};
  const uint64_t inf = (all >> 1) & ~((1ull << k.mant) - 1), one = (inf >> 1) & ~((1ull << k.mant) - 1);
  return {0, sign, inf, inf | sign, inf | 1, inf | (1ull << (k.mant - 1)), inf | sign | 3, 1, sign | 1,
          inf - 1, (inf - 1) | sign, one, one | sign, one, 0, sign, inf | 1};
}

inline std::vector<Elem> sample(const SortKeyType& k, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<uint64_t> sp = specials(k);
  const uint64_t all = k.nbits == 64 ? ~0ull : (1ull << k.nbits) - 1;
  auto one = [&]() -> uint64_t {
    if (k.kind == 0) return rng() % 2;  // bool storage holds 0 or 1
    switch (rng() % 3) {
      case 0: return sp[rng() % sp.size()];
      case 1: return rng() & all;
      default: return (rng() % 7) | ((rng() % 2) << (k.nbits - 1));  // small, repeated
    }
  };
  std::vector<Elem> v(n);
  for (Elem& e : v) {
    e.lo = one();
    if (k.cpx) e.hi = one();
  }
  return v;
}


// The bytes of elements of `item` bytes (complex: the real part, then the imaginary part).
inline std::vector<unsigned char> to_bytes(const std::vector<Elem>& x, int item, bool cpx) {
  std::vector<unsigned char> b(x.size() * item);
  const int part_bytes = cpx ? item / 2 : item;
  for (size_t i = 0; i < x.size(); ++i) {
    std::memcpy(&b[i * item], &x[i].lo, part_bytes);
    if (cpx) std::memcpy(&b[i * item + part_bytes], &x[i].hi, part_bytes);
  }
  return b;
}

}  // namespace ember::cuda
