// linalg kernels for the cpu device: each node runs LAPACK over its whole batch. Matrices are
// copied into column-major work buffers (O(n^2), next to LAPACK's O(n^3)), which also takes care of
// any strides, broadcasting and transposition of the inputs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/backend/cpu/batch.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/lapack.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/type_traits.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/ops/linalg.h"

namespace ember::cpu {

void register_matmul();  // matmul.cpp

namespace {

template <class T> constexpr bool is_lapack_type_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, cf> || std::is_same_v<T, cd>;

// Calls f(T{}) for the four LAPACK types; the ops layer never builds these nodes for others.
template <class F>
void dispatch_lapack(DType t, F&& f) {
  dispatch_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_lapack_type_v<T>) f(tag);
    else throw TypeError("array type " + std::string(dtype_name(t)) + " is unsupported in linalg");
  });
}

int to_int(int64_t v) {
  if (v > std::numeric_limits<int>::max()) throw ValueError("matrix dimension too large for LAPACK");
  return static_cast<int>(v);
}

// One matrix (the last two dims of `in`) of every batch element.
struct Mats {
  const Node& in;
  std::vector<int64_t> offsets;
  int64_t rows, cols, rs, cs;
  Mats(const Node& node, const Shape& batch) : in(node), offsets(batch_offsets(node, batch, 2)) {
    int d = node.ndim();
    rows = node.shape[d - 2], cols = node.shape[d - 1];
    rs = node.data.strides[d - 2], cs = node.data.strides[d - 1];
  }
  // Copies matrix `i` into column-major `dst` with leading dimension ld.
  template <class T> void load(size_t i, T* dst, int64_t ld) const {
    const T* p = in.data.ptr<T>() + offsets[i];
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t r = 0; r < rows; ++r) dst[r + j * ld] = p[r * rs + j * cs];
  }
};

Shape batch_of(const Node& n, int core) { return Shape(n.shape.begin(), n.shape.end() - core); }

// Copies a column-major rows x cols matrix into row-major `dst`.
template <class T>
void store(const T* src, int64_t ld, int64_t rows, int64_t cols, T* dst) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) dst[r * cols + j] = src[r + j * ld];
}

template <class T>
void set_identity(T* p, int64_t rows, int64_t cols) {  // row-major
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) p[r * cols + j] = T(r == j ? 1 : 0);
}

LinalgOutputs& extra_outputs(Node& n) {
  return *const_cast<LinalgOutputs*>(static_cast<const LinalgOutputs*>(n.params.blob.get()));
}

Data alloc_data(DType dt, const Shape& shape) {
  Data d;
  d.buffer = allocate_buffer(static_cast<size_t>(std::max<int64_t>(1, shape_size(shape))) * itemsize(dt));
  d.strides = contiguous_strides(shape);
  return d;
}

void linalg_output_kernel(Node& n) {
  Node& primary = *n.inputs[0];
  n.data = extra_outputs(primary).data.at(static_cast<size_t>(n.params.ints.at(0)));
}

void cholesky_kernel(Node& n) {
  alloc_output(n);
  Mats a(*n.inputs[0], batch_of(n, 2));
  int64_t sz = a.rows;
  int ni = to_int(sz), ld = std::max(1, ni);
  char uplo = n.params.flag ? 'U' : 'L';
  dispatch_lapack(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> w(static_cast<size_t>(ld) * sz);
    for (size_t i = 0; i < a.offsets.size(); ++i) {
      a.load(i, w.data(), ld);
      int info = 0;
      if (ni > 0) Lapack<T>::potrf(uplo, ni, w.data(), ld, &info);
      if (info > 0) throw LinAlgError("Matrix is not positive definite");
      for (int64_t j = 0; j < sz; ++j)  // clear the triangle LAPACK leaves untouched
        for (int64_t r = 0; r < sz; ++r)
          if (uplo == 'L' ? r < j : r > j) w[r + j * ld] = T(0);
      store(w.data(), ld, sz, sz, n.data.ptr<T>() + static_cast<int64_t>(i) * sz * sz);
    }
  });
}

// LU factorization of every matrix; calls f(i, lu, ld, ipiv, singular).
template <class T, class F>
void for_each_lu(const Mats& a, F&& f) {
  int64_t sz = a.rows;
  int ni = to_int(sz), ld = std::max(1, ni);
  std::vector<T> w(static_cast<size_t>(ld) * sz);
  std::vector<int> ipiv(std::max<int64_t>(1, sz));
  for (size_t i = 0; i < a.offsets.size(); ++i) {
    a.load(i, w.data(), ld);
    int info = 0;
    if (ni > 0) Lapack<T>::getrf(ni, ni, w.data(), ld, ipiv.data(), &info);
    f(i, w.data(), ld, ipiv.data(), info > 0);
  }
}

// sign and log|det| from an LU factorization (sign is a unit complex number for complex types).
template <class T>
std::pair<T, real_t<T>> lu_slogdet(const T* lu, int ld, const int* ipiv, int64_t sz) {
  using R = real_t<T>;
  T sign(1);
  R logdet(0);
  for (int64_t j = 0; j < sz; ++j) {
    T d = lu[j + j * ld];
    R m = std::abs(d);
    if (ipiv[j] != j + 1) sign = -sign;
    sign *= d / m;
    logdet += std::log(m);
  }
  return {sign, logdet};
}

void det_kernel(Node& n) {
  alloc_output(n);
  Mats a(*n.inputs[0], batch_of(n, 0));
  dispatch_lapack(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = n.data.ptr<T>();
    for_each_lu<T>(a, [&](size_t i, const T* lu, int ld, const int* ipiv, bool singular) {
      T det(1);
      for (int64_t j = 0; j < a.rows; ++j) det *= (ipiv[j] != j + 1 ? -lu[j + j * ld] : lu[j + j * ld]);
      out[i] = singular ? T(0) : det;
    });
  });
}

void slogdet_kernel(Node& n) {
  alloc_output(n);
  Mats a(*n.inputs[0], n.shape);
  Data& logd = extra_outputs(n).data.at(0);
  logd = alloc_data(real_type(n.dtype), n.shape);
  dispatch_lapack(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    using R = real_t<T>;
    T* sign = n.data.ptr<T>();
    R* ld_out = logd.ptr<R>();
    for_each_lu<T>(a, [&](size_t i, const T* lu, int ld, const int* ipiv, bool singular) {
      if (singular) {
        sign[i] = T(0), ld_out[i] = -std::numeric_limits<R>::infinity();
        return;
      }
      auto [s, l] = lu_slogdet(lu, ld, ipiv, a.rows);
      sign[i] = s, ld_out[i] = l;
    });
  });
}

// Substitution with the LU factors, for small matrices: OpenBLAS's getrs pays a threading cost
// per call that dominates batches of small systems.
template <class T>
void lu_substitute(const T* lu, int ld, const int* ipiv, int64_t n, T* b, int ldb, int64_t k) {
  for (int64_t c = 0; c < k; ++c) {
    T* x = b + c * ldb;
    for (int64_t i = 0; i < n; ++i)
      if (ipiv[i] - 1 != i) std::swap(x[i], x[ipiv[i] - 1]);
    for (int64_t j = 0; j < n; ++j)  // L (unit diagonal), column by column
      for (int64_t i = j + 1; i < n; ++i) x[i] -= lu[i + j * ld] * x[j];
    for (int64_t j = n - 1; j >= 0; --j) {  // U
      x[j] /= lu[j + j * ld];
      for (int64_t i = 0; i < j; ++i) x[i] -= lu[i + j * ld] * x[j];
    }
  }
}

// Solves A X = B for every batch element; B (the right-hand sides, rows x k) is given column-major.
template <class T>
void lu_solve_batch(Node& n, const Mats& a, const Mats* b) {
  int64_t sz = a.rows, k = b ? b->cols : sz;
  int ni = to_int(sz), ki = to_int(k), ld = std::max(1, ni);
  std::vector<T> rhs(static_cast<size_t>(ld) * k);
  for_each_lu<T>(a, [&](size_t i, const T* lu, int lda, const int* ipiv, bool singular) {
    if (singular) throw LinAlgError("Singular matrix");
    if (b) {
      b->load(i, rhs.data(), ld);
    } else {
      std::fill(rhs.begin(), rhs.end(), T(0));
      for (int64_t j = 0; j < sz; ++j) rhs[j + j * ld] = T(1);
    }
    int info = 0;
    if (sz <= 32) lu_substitute(lu, lda, ipiv, sz, rhs.data(), ld, k);
    else if (ki > 0) Lapack<T>::getrs(ni, ki, lu, lda, ipiv, rhs.data(), ld, &info);
    store(rhs.data(), ld, sz, k, n.data.ptr<T>() + static_cast<int64_t>(i) * sz * k);
  });
}

void inv_kernel(Node& n) {
  alloc_output(n);
  Mats a(*n.inputs[0], batch_of(n, 2));
  dispatch_lapack(n.dtype, [&](auto tag) { lu_solve_batch<decltype(tag)>(n, a, nullptr); });
}

void solve_kernel(Node& n) {
  alloc_output(n);
  Shape batch = batch_of(n, 2);
  Mats a(*n.inputs[0], batch), b(*n.inputs[1], batch);
  dispatch_lapack(n.dtype, [&](auto tag) { lu_solve_batch<decltype(tag)>(n, a, &b); });
}

// eigh: outputs[0] the eigenvalues (real), extra 0 the eigenvectors (when params.flag).
void eigh_kernel(Node& n) {
  alloc_output(n);
  const Node& in = *n.inputs[0];
  bool vectors = n.params.flag;
  Mats a(in, batch_of(n, 1));
  Data& vec = extra_outputs(n).data.at(0);
  vec = alloc_data(in.dtype, vectors ? in.shape : Shape{0});
  int64_t sz = a.rows;
  int ni = to_int(sz), ld = std::max(1, ni);
  char jobz = vectors ? 'V' : 'N';
  dispatch_lapack(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    using R = real_t<T>;
    if (sz == 0 || a.offsets.empty()) return;
    std::vector<T> w(static_cast<size_t>(ld) * sz);
    T qw(1);
    R qrw(1);
    int qiw = 1, info = 0;
    Lapack<T>::heevd(jobz, ni, w.data(), ld, n.data.ptr<R>(), &qw, -1, &qrw, -1, &qiw, -1, &info);
    int lw = std::max(1, static_cast<int>(std::real(qw))), lrw = std::max(1, static_cast<int>(qrw)), liw = std::max(1, qiw);
    std::vector<T> work(lw);
    std::vector<R> rwork(lrw);
    std::vector<int> iwork(liw);
    for (size_t i = 0; i < a.offsets.size(); ++i) {
      a.load(i, w.data(), ld);
      Lapack<T>::heevd(jobz, ni, w.data(), ld, n.data.ptr<R>() + static_cast<int64_t>(i) * sz, work.data(), lw,
                       rwork.data(), lrw, iwork.data(), liw, &info);
      if (info > 0) throw LinAlgError("Eigenvalues did not converge");
      if (vectors) store(w.data(), ld, sz, sz, vec.ptr<T>() + static_cast<int64_t>(i) * sz * sz);
    }
  });
}

// qr: outputs[0] Q, extra 0 R; params.flag = complete.
void qr_kernel(Node& n) {
  alloc_output(n);
  const Node& in = *n.inputs[0];
  Mats a(in, batch_of(n, 2));
  bool complete = n.params.flag;
  int64_t m = a.rows, nc = a.cols, k = std::min(m, nc), qc = complete ? m : k, rr = complete ? m : k;
  Data& rdata = extra_outputs(n).data.at(0);
  Shape rshape = batch_of(n, 2);
  rshape.push_back(rr), rshape.push_back(nc);
  rdata = alloc_data(in.dtype, rshape);
  int mi = to_int(m), ld = std::max(1, mi);
  int64_t wcols = std::max(nc, qc);
  dispatch_lapack(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> w(static_cast<size_t>(ld) * std::max<int64_t>(1, wcols)), tau(std::max<int64_t>(1, k));
    int info = 0, lw = 1;
    T q1(1), q2(1);
    if (k > 0) Lapack<T>::geqrf(mi, to_int(nc), w.data(), ld, tau.data(), &q1, -1, &info);
    if (m > 0 && qc > 0) Lapack<T>::orgqr(mi, to_int(qc), to_int(k), w.data(), ld, tau.data(), &q2, -1, &info);
    lw = std::max({1, static_cast<int>(std::real(q1)), static_cast<int>(std::real(q2))});
    std::vector<T> work(lw);
    for (size_t i = 0; i < a.offsets.size(); ++i) {
      a.load(i, w.data(), ld);
      if (k > 0) Lapack<T>::geqrf(mi, to_int(nc), w.data(), ld, tau.data(), work.data(), lw, &info);
      T* r = rdata.ptr<T>() + static_cast<int64_t>(i) * rr * nc;
      for (int64_t row = 0; row < rr; ++row)
        for (int64_t j = 0; j < nc; ++j) r[row * nc + j] = row <= j ? w[row + j * ld] : T(0);
      if (m > 0 && qc > 0) Lapack<T>::orgqr(mi, to_int(qc), to_int(k), w.data(), ld, tau.data(), work.data(), lw, &info);
      store(w.data(), ld, m, qc, n.data.ptr<T>() + static_cast<int64_t>(i) * m * qc);
    }
  });
}

// svd: outputs[0] S, extra 0 U, extra 1 Vh; params.ints[0]: 0 values only, 1 reduced, 2 full.
void svd_kernel(Node& n) {
  alloc_output(n);
  const Node& in = *n.inputs[0];
  Shape batch = batch_of(n, 1);
  Mats a(in, batch);
  int mode = static_cast<int>(n.params.ints.at(0));
  int64_t m = a.rows, nc = a.cols, k = std::min(m, nc);
  int64_t ucols = mode == 2 ? m : k, vrows = mode == 2 ? nc : k;
  auto& extra = extra_outputs(n).data;
  Shape us = batch, vs = batch;
  us.push_back(m), us.push_back(ucols), vs.push_back(vrows), vs.push_back(nc);
  extra.at(0) = alloc_data(in.dtype, mode ? us : Shape{0});
  extra.at(1) = alloc_data(in.dtype, mode ? vs : Shape{0});
  dispatch_lapack(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    using R = real_t<T>;
    int64_t count = static_cast<int64_t>(a.offsets.size());
    if (k == 0) {  // nothing to factor: the singular vectors are identities
      for (int64_t i = 0; mode && i < count; ++i) {
        set_identity(extra[0].ptr<T>() + i * m * ucols, m, ucols);
        set_identity(extra[1].ptr<T>() + i * vrows * nc, vrows, nc);
      }
      return;
    }
    char jobz = mode == 0 ? 'N' : mode == 1 ? 'S' : 'A';
    int mi = to_int(m), ni = to_int(nc), lda = std::max(1, mi), ldu = std::max(1, mi), ldvt = std::max<int>(1, to_int(vrows));
    std::vector<T> w(static_cast<size_t>(lda) * nc), u(mode ? static_cast<size_t>(ldu) * ucols : 1),
        vt(mode ? static_cast<size_t>(ldvt) * nc : 1);
    int64_t mn = k, mx = std::max(m, nc);
    std::vector<R> rwork(is_complex_v<T> ? (mode == 0 ? 7 * mn : std::max(5 * mn * mn + 5 * mn, 2 * mx * mn + 2 * mn * mn + mn)) : 1);
    std::vector<int> iwork(8 * mn);
    T q(1);
    int info = 0;
    Lapack<T>::gesdd(jobz, mi, ni, w.data(), lda, n.data.ptr<R>(), u.data(), ldu, vt.data(), ldvt, &q, -1,
                     rwork.data(), iwork.data(), &info);
    int lw = std::max(1, static_cast<int>(std::real(q)));
    std::vector<T> work(lw);
    for (int64_t i = 0; i < count; ++i) {
      a.load(static_cast<size_t>(i), w.data(), lda);
      Lapack<T>::gesdd(jobz, mi, ni, w.data(), lda, n.data.ptr<R>() + i * k, u.data(), ldu, vt.data(), ldvt,
                       work.data(), lw, rwork.data(), iwork.data(), &info);
      if (info > 0) throw LinAlgError("SVD did not converge");
      if (info < 0) throw std::runtime_error("gesdd: illegal argument " + std::to_string(-info));
      if (mode) {
        store(u.data(), ldu, m, ucols, extra[0].ptr<T>() + i * m * ucols);
        store(vt.data(), ldvt, vrows, nc, extra[1].ptr<T>() + i * vrows * nc);
      }
    }
  });
}

// vector_norm over the last params.ints[0] dims of the input; params.scalars[0] = ord.
void vector_norm_kernel(Node& n) {
  alloc_output(n);
  const Node& in = *n.inputs[0];
  int r = static_cast<int>(n.params.ints.at(0));
  double ord = n.params.scalars.at(0).as<double>();
  Shape outer(in.shape.begin(), in.shape.end() - r), inner(in.shape.end() - r, in.shape.end());
  Strides ist(in.data.strides.end() - r, in.data.strides.end());
  Strides ost(in.data.strides.begin(), in.data.strides.end() - r);
  std::vector<int64_t> offs;
  for_each_row(outer, 1, {&ost}, [&](auto off, auto st, int64_t len) {
    for (int64_t i = 0; i < len; ++i) offs.push_back(off[0] + i * st[0]);
  });
  dispatch_dtype(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_inexact_v<T>) {
      using O = real_t<T>;
      const T* p = in.data.ptr<T>();
      O* out = n.data.ptr<O>();
      for (size_t o = 0; o < offs.size(); ++o) {
        double acc = std::isinf(ord) ? (ord > 0 ? 0.0 : INFINITY) : 0.0;
        bool nan = false;
        for_each_row(inner, 1, {&ist}, [&](auto off, auto st, int64_t len) {
          const T* x = p + offs[o] + off[0];
          for (int64_t i = 0; i < len; ++i) {
            double v;
            if constexpr (is_complex_v<T>) v = std::abs(std::complex<double>(x[i * st[0]]));
            else v = std::fabs(static_cast<double>(static_cast<compute_t<T>>(x[i * st[0]])));
            if (std::isnan(v)) nan = true;
            if (ord == 2) acc += v * v;
            else if (ord == 1) acc += v;
            else if (ord == INFINITY) acc = std::max(acc, v);
            else if (ord == -INFINITY) acc = std::min(acc, v);
            else if (ord == 0) acc += v != 0;
            else acc += std::pow(v, ord);
          }
        });
        double res = acc;
        if (nan && ord != 0) res = NAN;  // ord 0 counts NaN as nonzero, as NumPy
        else if (ord == 2) res = std::sqrt(acc);
        else if (!std::isinf(ord) && ord != 1 && ord != 0) res = std::pow(acc, 1.0 / ord);
        out[o] = static_cast<O>(static_cast<compute_t<O>>(res));
      }
    }
  });
}

}  // namespace

void register_linalg() {
  register_matmul();
  register_kernel(DeviceType::CPU, "linalg_output", linalg_output_kernel);
  register_kernel(DeviceType::CPU, "cholesky", cholesky_kernel);
  register_kernel(DeviceType::CPU, "det", det_kernel);
  register_kernel(DeviceType::CPU, "slogdet", slogdet_kernel);
  register_kernel(DeviceType::CPU, "inv", inv_kernel);
  register_kernel(DeviceType::CPU, "solve", solve_kernel);
  register_kernel(DeviceType::CPU, "eigh", eigh_kernel);
  register_kernel(DeviceType::CPU, "qr", qr_kernel);
  register_kernel(DeviceType::CPU, "svd", svd_kernel);
  register_kernel(DeviceType::CPU, "vector_norm", vector_norm_kernel);
}

}  // namespace ember::cpu
