// The order-preserving key transforms of the cuda sort family, written once for two compilers: the
// host C++ compiler (the unit tests in cpp/tests/cuda/, and the orchestration's checks) and NVRTC
// (ops_sort_sources.cpp embeds this very text, stringified, in its kernels). Keys are unsigned
// integers whose unsigned order is NumPy's sort order:
//   bool, unsigned: the value; signed: the bits with the sign bit flipped;
//   floats (float16, bfloat16, float32, float64, from their bit patterns): NaN (any sign or
//   payload) -> all ones, so NaNs sort last and equal each other (a stable sort keeps their input
//   order, as NumPy's); -0.0 -> +0.0 (they compare equal in NumPy, so they keep input order too);
//   then negative numbers have every bit inverted, positive ones the sign bit set;
//   complex: NumPy's [R + Rj, R + nanj, nan + Rj, nan + nanj] order is the lexicographic order of
//   (class, key(re), key(im)) with class = 2 * isnan(re) + isnan(im).
// Descending order inverts each data word (a stable sort then keeps equal values in input order
// and puts NaNs first, as the cpu's descending sort).
// No # directive may appear inside EMBER_SORT_KEYS_EMIT(...): its text is stringified for NVRTC.
#ifndef EMBER_SORT_KEYS_EMIT
#pragma once
#define EMBER_SORT_KEYS_EMIT(...) __VA_ARGS__
#endif
#ifndef EM_SK
#define EM_SK inline
#endif

EMBER_SORT_KEYS_EMIT(
typedef unsigned long long em_sk_u64;

/* The low `nbits` bits set (nbits in 1..64). */
EM_SK em_sk_u64 em_sk_mask(int nbits) { return nbits >= 64 ? ~0ull : (1ull << nbits) - 1ull; }

/* Whether the IEEE pattern `bits` (nbits wide, mant mantissa bits) is a NaN. */
EM_SK bool em_sk_isnan(em_sk_u64 bits, int nbits, int mant) {
  const em_sk_u64 mag = bits & em_sk_mask(nbits - 1), inf = em_sk_mask(nbits - 1) & ~em_sk_mask(mant);
  return mag > inf;
}

/* kind: 0 bool, 1 signed, 2 unsigned, 3 float. The ascending key of one value's bit pattern. */
EM_SK em_sk_u64 em_sk_scalar(em_sk_u64 bits, int kind, int nbits, int mant) {
  const em_sk_u64 all = em_sk_mask(nbits), sign = 1ull << (nbits - 1);
  bits &= all;
  if (kind == 0) return bits != 0 ? 1ull : 0ull;
  if (kind == 2) return bits;
  if (kind == 1) return bits ^ sign;
  if (em_sk_isnan(bits, nbits, mant)) return all;
  if (bits == sign) bits = 0;
  return (bits & sign) ? (~bits & all) : (bits | sign);
}

/* Key word w (0 = most significant) of an element: its bit pattern is lo for real dtypes; complex
   elements have the real part's bits in lo and the imaginary part's in hi (nbits, mant: a part's).
   Complex words: 0 = class (2 bits); complex64: 1 = key(re) << 32 | key(im); complex128: 1 =
   key(re), 2 = key(im). */
EM_SK em_sk_u64 em_sk_word(em_sk_u64 lo, em_sk_u64 hi, int w, int kind, int nbits, int mant, int cpx) {
  if (!cpx) return em_sk_scalar(lo, kind, nbits, mant);
  if (w == 0) return (em_sk_isnan(lo, nbits, mant) ? 2ull : 0ull) | (em_sk_isnan(hi, nbits, mant) ? 1ull : 0ull);
  if (nbits == 32) return (em_sk_scalar(lo, 3, 32, 23) << 32) | em_sk_scalar(hi, 3, 32, 23);
  return em_sk_scalar(w == 1 ? lo : hi, 3, nbits, mant);
}

/* Whether an element is NaN (complex: either part), for unique's equal_nan. */
EM_SK bool em_sk_elem_nan(em_sk_u64 lo, em_sk_u64 hi, int kind, int nbits, int mant, int cpx) {
  if (kind != 3) return false;
  return em_sk_isnan(lo, nbits, mant) || (cpx && em_sk_isnan(hi, nbits, mant));
}
)

EMBER_SORT_KEYS_EMIT(
/* A radix pass's key for one element: its data word `word` (none when word < 0), inverted within
   its wbits for a descending sort, with the element's lane (row) above bit row_shift when
   row_shift >= 0 (the key-tagged sort of many lanes at once). */
EM_SK em_sk_u64 em_sk_pass_key(em_sk_u64 lo, em_sk_u64 hi, em_sk_u64 row, int word, int wbits, int row_shift,
                               int invert, int kind, int nbits, int mant, int cpx) {
  em_sk_u64 k = 0;
  if (word >= 0) {
    k = em_sk_word(lo, hi, word, kind, nbits, mant, cpx);
    if (invert) k = ~k & em_sk_mask(wbits);
  }
  if (row_shift >= 0) k |= row << row_shift;
  return k;
}

/* The bit pattern of a bool or integer value back from its (single-word) pass key. */
EM_SK em_sk_u64 em_sk_inverse(em_sk_u64 key, int wbits, int invert, int kind, int nbits) {
  em_sk_u64 k = key & em_sk_mask(wbits);
  if (invert) k = ~k & em_sk_mask(wbits);
  return kind == 1 ? k ^ (1ull << (nbits - 1)) : k;
}

/* NumPy's truth of an element (x != 0): floats ignore the sign bit (-0.0 is false, NaN true). */
EM_SK bool em_sk_truthy(em_sk_u64 lo, em_sk_u64 hi, int kind, int nbits, int cpx) {
  const em_sk_u64 m = kind == 3 ? em_sk_mask(nbits - 1) : em_sk_mask(nbits);
  return (lo & m) != 0 || (cpx && (hi & m) != 0);
}
)

EMBER_SORT_KEYS_EMIT(
/* Key words of a dtype: 1, complex64 2, complex128 3. */
EM_SK int em_sk_words(int nbits, int cpx) { return cpx ? (nbits == 32 ? 2 : 3) : 1; }

/* NumPy's order of two elements (given as lo/hi bit patterns): -1, 0 (equal, or both NaN of one
   class) or 1; the lexicographic order of their key words. */
EM_SK int em_sk_cmp(em_sk_u64 alo, em_sk_u64 ahi, em_sk_u64 blo, em_sk_u64 bhi, int kind, int nbits, int mant, int cpx) {
  const int nw = em_sk_words(nbits, cpx);
  for (int w = 0; w < nw; ++w) {
    const em_sk_u64 a = em_sk_word(alo, ahi, w, kind, nbits, mant, cpx), b = em_sk_word(blo, bhi, w, kind, nbits, mant, cpx);
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;
}

/* Whether two sorted neighbours are one unique value (NaNs only when equal_nan, as the cpu). */
EM_SK bool em_sk_same(em_sk_u64 alo, em_sk_u64 ahi, em_sk_u64 blo, em_sk_u64 bhi, int equal_nan, int kind, int nbits,
                      int mant, int cpx) {
  const bool an = em_sk_elem_nan(alo, ahi, kind, nbits, mant, cpx), bn = em_sk_elem_nan(blo, bhi, kind, nbits, mant, cpx);
  if (an || bn) return equal_nan && an && bn;
  return em_sk_cmp(alo, ahi, blo, bhi, kind, nbits, mant, cpx) == 0;
}
)
