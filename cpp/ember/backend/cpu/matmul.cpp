// matmul: float32/float64/complex64/complex128 through cblas gemm (strided matrices are passed with
// leading dimensions and transpose flags, packed only when neither fits); the other dtypes through
// a packed i-k-j loop that accumulates in a wider type (float for the 16-bit floats, 64-bit
// wrapping integers, OR-of-ANDs for bool).
#include <cblas.h>

#include <climits>
#include <vector>

#include "ember/backend/cpu/batch.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/type_traits.h"
#include "ember/backend/device.h"
#include "ember/runtime/thread_pool.h"

namespace ember::cpu {
namespace {

struct MatView {
  int64_t rs, cs;  // element strides of rows and columns
  int64_t rows, cols;
};

// Copies one matrix into a row-major buffer (conjugated if asked).
template <class T, class D>
void pack(const T* p, const MatView& v, D* out, bool conj) {
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j) {
      T x = p[i * v.rs + j * v.cs];
      if constexpr (is_complex_v<T>) {
        if (conj) x = std::conj(x);
      }
      out[i * v.cols + j] = static_cast<D>(static_cast<compute_t<T>>(x));
    }
}

// Whether gemm can read the matrix in place: sets the transpose flag and the leading dimension.
bool gemm_layout(MatView v, CBLAS_TRANSPOSE* t, int* ld) {
  if (v.cols == 1) v.cs = 1;
  if (v.rows == 1) v.rs = std::max<int64_t>(1, v.cols);
  if (v.cs == 1 && v.rs >= std::max<int64_t>(1, v.cols) && v.rs <= INT_MAX) {
    *t = CblasNoTrans;
    *ld = static_cast<int>(v.rs);
    return true;
  }
  if (v.rs == 1 && v.cs >= std::max<int64_t>(1, v.rows) && v.cs <= INT_MAX) {
    *t = CblasTrans;
    *ld = static_cast<int>(v.cs);
    return true;
  }
  return false;
}

template <class T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const T* a, int lda, const T* b, int ldb, T* c,
          int ldc) {
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  } else if constexpr (std::is_same_v<T, double>) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
  } else {
    const T one(1), zero(0);
    if constexpr (std::is_same_v<T, complex64>)
      cblas_cgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
    else
      cblas_zgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
  }
}

// OpenBLAS threads every call above a small size; waking its threads costs more than a small
// product (the matvecs of an iterative solver), so those run on the calling thread.
constexpr double kThreadedBlasFlops = 2e6;

class SingleThreadedBlas {
 public:
  explicit SingleThreadedBlas(double flops) : saved_(flops < kThreadedBlasFlops ? openblas_get_num_threads() : 0) {
    if (saved_ > 1) openblas_set_num_threads(1);
  }
  ~SingleThreadedBlas() {
    if (saved_ > 1) openblas_set_num_threads(saved_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int saved_;
};

// y = op(S) x for a stored row-major matrix S (rows x cols, leading dimension ld).
template <class T>
void gemv(CBLAS_TRANSPOSE t, int rows, int cols, const T* s, int ld, const T* x, int incx, T* y) {
  if constexpr (std::is_same_v<T, float>) cblas_sgemv(CblasRowMajor, t, rows, cols, 1.0f, s, ld, x, incx, 0.0f, y, 1);
  else cblas_dgemv(CblasRowMajor, t, rows, cols, 1.0, s, ld, x, incx, 0.0, y, 1);
}

// A tall matrix-vector product (many rows, few columns: X @ w and X.T @ r over a large data set)
// split into blocks of rows across ember's threads, each block a single-threaded gemv. OpenBLAS's
// own threading of these shapes is several times slower (it splits the short dimension). For
// op(S) = S^T the blocks' partial results are added in block order, so the result does not depend
// on the thread count. Returns false when the product is too small or too short to split.
constexpr int64_t kGemvBlockRows = 4096;

template <class T>
bool gemv_row_blocks(CBLAS_TRANSPOSE t, int rows, int cols, const T* s, int ld, const T* x, int incx, T* y) {
  const int64_t nblocks = (rows + kGemvBlockRows - 1) / kGemvBlockRows;
  if (nblocks < 4 || runtime::num_threads() < 2 || 2.0 * rows * cols < kThreadedBlasFlops) return false;
  SingleThreadedBlas single(0.0);
  if (t == CblasNoTrans) {  // y[rows] = S x: each block writes its own rows of y
    runtime::parallel_for(nblocks, 4, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        int64_t r0 = b * kGemvBlockRows, n = std::min<int64_t>(kGemvBlockRows, rows - r0);
        gemv<T>(CblasNoTrans, static_cast<int>(n), cols, s + r0 * ld, ld, x, incx, y + r0);
      }
    });
    return true;
  }
  std::vector<T> partial(static_cast<size_t>(nblocks) * cols);  // y[cols] = S^T x: a partial per block
  runtime::parallel_for(nblocks, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      int64_t r0 = b * kGemvBlockRows, n = std::min<int64_t>(kGemvBlockRows, rows - r0);
      gemv<T>(CblasTrans, static_cast<int>(n), cols, s + r0 * ld, ld, x + r0 * incx, incx, partial.data() + b * cols);
    }
  });
  for (int j = 0; j < cols; ++j) {
    T acc = partial[j];
    for (int64_t b = 1; b < nblocks; ++b) acc += partial[b * cols + j];
    y[j] = acc;
  }
  return true;
}

// y = op(S) x, blocked over the threads when S is tall.
template <class T>
void gemv_any(CBLAS_TRANSPOSE t, int rows, int cols, const T* s, int ld, const T* x, int incx, T* y) {
  if (!gemv_row_blocks<T>(t, rows, cols, s, ld, x, incx, y)) gemv<T>(t, rows, cols, s, ld, x, incx, y);
}

// Matrix-vector products go to gemv: gemm with a dimension of 1 is several times slower on small
// sizes (the matvecs of an iterative solver). Returns false when the layout does not fit.
template <class T>
bool try_gemv(int m, int n, int k, const T* a, MatView va, CBLAS_TRANSPOSE ta, int lda, bool direct_a, const T* b,
              MatView vb, CBLAS_TRANSPOSE tb, int ldb, bool direct_b, T* c) {
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double>) {
    return false;
  } else {
    if (k == 0) return false;
    if (n == 1 && direct_a && vb.rs > 0 && vb.rs <= INT_MAX) {  // (m x k) @ (k x 1)
      if (ta == CblasNoTrans) gemv_any<T>(CblasNoTrans, m, k, a, lda, b, static_cast<int>(vb.rs), c);
      else gemv_any<T>(CblasTrans, k, m, a, lda, b, static_cast<int>(vb.rs), c);  // a stored as k x m
      return true;
    }
    if (m == 1 && direct_b && va.cs > 0 && va.cs <= INT_MAX) {  // (1 x k) @ (k x n)
      if (tb == CblasNoTrans) gemv_any<T>(CblasTrans, k, n, b, ldb, a, static_cast<int>(va.cs), c);
      else gemv_any<T>(CblasNoTrans, n, k, b, ldb, a, static_cast<int>(va.cs), c);  // b stored as n x k
      return true;
    }
    return false;
  }
}

template <class T>
void matmul_blas(Node& n, const std::vector<int64_t>& oa, const std::vector<int64_t>& ob, MatView va, MatView vb) {
  const T* pa = n.inputs[0]->data.ptr<T>();
  const T* pb = n.inputs[1]->data.ptr<T>();
  T* pc = n.data.ptr<T>();
  bool conj = n.params.flag;
  int m = static_cast<int>(va.rows), k = static_cast<int>(va.cols), nn = static_cast<int>(vb.cols);
  CBLAS_TRANSPOSE ta = CblasNoTrans, tb = CblasNoTrans;
  int lda = 1, ldb = 1;
  bool direct_a = !conj && gemm_layout(va, &ta, &lda), direct_b = gemm_layout(vb, &tb, &ldb);
  std::vector<T> bufa(direct_a ? 0 : va.rows * va.cols), bufb(direct_b ? 0 : vb.rows * vb.cols);
  for (size_t i = 0; i < oa.size(); ++i) {
    const T* a = pa + oa[i];
    const T* b = pb + ob[i];
    T* out = pc + static_cast<int64_t>(i) * m * nn;
    if (try_gemv<T>(m, nn, k, a, va, ta, lda, direct_a, b, vb, tb, ldb, direct_b, out)) continue;
    if (!direct_a) pack(a, va, bufa.data(), conj), a = bufa.data(), ta = CblasNoTrans, lda = std::max(1, k);
    if (!direct_b) pack(b, vb, bufb.data(), false), b = bufb.data(), tb = CblasNoTrans, ldb = std::max(1, nn);
    gemm<T>(ta, tb, m, nn, k, a, lda, b, ldb, pc + static_cast<int64_t>(i) * m * nn, std::max(1, nn));
  }
}

// The accumulator of the loop kernel: wrapping 64-bit integers, float for halves, 0/1 bytes for bool.
template <class T> using acc_t = std::conditional_t<
    is_bool_v<T>, uint8_t, std::conditional_t<is_int_v<T>, uint64_t, compute_t<T>>>;

template <class T>
void matmul_loop(Node& n, const std::vector<int64_t>& oa, const std::vector<int64_t>& ob, MatView va, MatView vb) {
  using A = acc_t<T>;
  const T* pa = n.inputs[0]->data.ptr<T>();
  const T* pb = n.inputs[1]->data.ptr<T>();
  T* pc = n.data.ptr<T>();
  int64_t m = va.rows, k = va.cols, nn = vb.cols;
  auto widen = [](T x) -> A {
    if constexpr (is_bool_v<T>) return static_cast<A>(x ? 1 : 0);
    else if constexpr (is_int_v<T>) return static_cast<A>(static_cast<int64_t>(x));
    else return static_cast<A>(static_cast<compute_t<T>>(x));
  };
  std::vector<A> a(m * k), b(k * nn), row(nn);
  for (size_t bi = 0; bi < oa.size(); ++bi) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j) a[i * k + j] = widen(pa[oa[bi] + i * va.rs + j * va.cs]);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < nn; ++j) b[i * nn + j] = widen(pb[ob[bi] + i * vb.rs + j * vb.cs]);
    T* c = pc + static_cast<int64_t>(bi) * m * nn;
    for (int64_t i = 0; i < m; ++i) {
      std::fill(row.begin(), row.end(), A(0));
      for (int64_t p = 0; p < k; ++p) {
        A x = a[i * k + p];
        const A* brow = b.data() + p * nn;
        if constexpr (is_bool_v<T>) {
          if (x)
            for (int64_t j = 0; j < nn; ++j) row[j] |= brow[j];
        } else {
          for (int64_t j = 0; j < nn; ++j) row[j] += x * brow[j];
        }
      }
      for (int64_t j = 0; j < nn; ++j) {
        c[i * nn + j] = static_cast<T>(row[j]);  // integers: modulo 2^bits, as NumPy wraps
      }
    }
  }
}

void matmul_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  const Node& b = *n.inputs[1];
  alloc_output(n);
  int na = a.ndim(), nb = b.ndim(), nd = n.ndim();
  MatView va{a.data.strides[na - 2], a.data.strides[na - 1], a.shape[na - 2], a.shape[na - 1]};
  MatView vb{b.data.strides[nb - 2], b.data.strides[nb - 1], b.shape[nb - 2], b.shape[nb - 1]};
  if (n.size() == 0) return;
  Shape batch(n.shape.begin(), n.shape.begin() + (nd - 2));
  std::vector<int64_t> oa = batch_offsets(a, batch, 2), ob = batch_offsets(b, batch, 2);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    if (va.cols == 0) {
      std::fill(n.data.ptr<T>(), n.data.ptr<T>() + n.size(), T(0));
      return;
    }
    bool blas_sized = va.rows <= INT_MAX && va.cols <= INT_MAX && vb.cols <= INT_MAX;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || is_complex_v<T>) {
      SingleThreadedBlas small(2.0 * static_cast<double>(n.size()) * static_cast<double>(va.cols));
      if (blas_sized) return matmul_blas<T>(n, oa, ob, va, vb);
    }
    matmul_loop<T>(n, oa, ob, va, vb);
  });
}

void conj_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  Strides sa = read_strides(a, n.shape);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_complex_v<T>) {
      const T* pa = a.data.ptr<T>();
      T* po = n.data.ptr<T>();
      for_each_row(n.shape, 2, {&n.data.strides, &sa}, [&](auto off, auto inner, int64_t len) {
        for (int64_t i = 0; i < len; ++i) po[off[0] + i * inner[0]] = std::conj(pa[off[1] + i * inner[1]]);
      });
    }
  });
}

}  // namespace

void register_matmul() {
  register_kernel(DeviceType::CPU, "matmul", matmul_kernel);
  register_kernel(DeviceType::CPU, "linalg_conj", conj_kernel);
}

}  // namespace ember::cpu
