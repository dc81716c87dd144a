// vector_norm, matmul of every dtype, and the LAPACK ops on the cuda device. The LAPACK ops copy
// each input into column-major work matrices (one strided copy for the whole batch, which also
// takes care of broadcasting and transposition), call cuSOLVER once per matrix on the device's
// stream, collect every devInfo in one array, read it back once (this waits for the stream) and
// raise NumPy's LinAlgError; results go to row-major outputs through one tri_copy launch.
#include "ember/backend/cuda/ops_linalg.h"

#include <algorithm>
#include <climits>
#include <complex>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/cublas.h"
#include "ember/backend/cuda/cusolver.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/fused_runner.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/kernel.h"
#include "ember/ops/linalg.h"

namespace ember::cuda {
namespace {

Strides own_strides(const Node& n) {
  return n.data.strides.empty() && !n.shape.empty() ? contiguous_strides(n.shape) : n.data.strides;
}

// Device scratch memory kept alive until the work that uses it is queued (the pool orders reuse).
struct Scratch {
  int dev;
  std::vector<std::shared_ptr<Buffer>> keep;
  CUdeviceptr get(size_t bytes) {
    keep.push_back(device_buffer(dev, std::max<size_t>(bytes, 1)));
    return static_cast<const DeviceMemory*>(keep.back()->device.get())->ptr;
  }
};

Data device_data(int dev, DType t, const Shape& shape) {
  Data d;
  d.buffer = device_buffer(dev, size_t(std::max<int64_t>(1, shape_size(shape))) * size_t(itemsize(t)));
  d.strides = contiguous_strides(shape);
  return d;
}

CUdeviceptr data_ptr(const Data& d) { return static_cast<const DeviceMemory*>(d.buffer->device.get())->ptr; }

LinalgOutputs& extra_outputs(Node& n) {
  return *const_cast<LinalgOutputs*>(static_cast<const LinalgOutputs*>(n.params.blob.get()));
}

void launch_1d(const Context& c, const OpSource& s, int64_t n, void** params, const char* name = nullptr) {
  launch(c, load_function(c.index, s.source, name ? name : s.name), elementwise_dims(c.index, n), params);
}

// ---- vector_norm ----

struct NormArgs {
  uint64_t x, out;
  int64_t nout, L, nk, ni;
  double ord;
  int64_t mode;
  int64_t kdims[kMaxDims], kst[kMaxDims], idims[kMaxDims], ist[kMaxDims];
};

// Over the last params.ints[0] dims of the input; params.scalars[0] = ord.
void vector_norm_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  allocate_output(n, dev);
  const int r = int(n.params.ints.at(0));
  const Strides xs = own_strides(x);
  NormArgs a{};
  a.x = device_ptr(x), a.out = device_ptr(n);
  a.ord = n.params.scalars.at(0).as<double>();
  a.mode = norm_mode(a.ord);
  a.nout = 1, a.L = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    if (x.shape[d] == 1) continue;
    const bool inner = d >= x.ndim() - r;
    int64_t& count = inner ? a.ni : a.nk;
    if (count == kMaxDims) throw NotImplementedError("vector_norm on cuda: rank above " + std::to_string(kMaxDims));
    (inner ? a.idims : a.kdims)[count] = x.shape[d];
    (inner ? a.ist : a.kst)[count] = xs[d];
    (inner ? a.L : a.nout) *= x.shape[d];
    ++count;
  }
  if (n.size() == 0) return;
  if (x.size() == 0) a.L = 0;
  const OpSource s = vector_norm_source(x.dtype);
  LaunchDims d{unsigned(std::clamp<int64_t>(a.nout, 1, int64_t(sm_count(dev)) * 32)), unsigned(kOpBlock), 0};
  void* params[] = {&a};
  launch(c, load_function(dev, s.source, s.name), d, params);
}

// ---- matmul ----

struct IntMatmulArgs {
  uint64_t a, b, c, oa, ob;
  int64_t batch, M, N, K, ars, acs, brs, bcs;
};

CUdeviceptr upload_offsets(const Context& c, Scratch& s, const std::vector<int64_t>& v) {
  const CUdeviceptr p = s.get(v.size() * sizeof(int64_t));
  // From pageable memory the driver stages the bytes before returning: `v` may go.
  if (!v.empty()) EMBER_CU(cuMemcpyHtoDAsync, p, v.data(), v.size() * sizeof(int64_t), c.stream);
  return p;
}

void int_matmul(Node& n) {
  const Node& a = *n.inputs.at(0);
  const Node& b = *n.inputs.at(1);
  if (a.device != DeviceType::CUDA || b.device != DeviceType::CUDA)
    throw NotImplementedError("matmul on cuda: both operands must be on device cuda");
  const int dev = operand_device({&a, &b});
  Context& c = context(dev);
  allocate_output(n, dev);
  if (n.size() == 0) return;
  const Strides sa = own_strides(a), sb = own_strides(b);
  const Shape batch(n.shape.begin(), n.shape.end() - 2);
  IntMatmulArgs g{};
  g.M = n.shape[n.ndim() - 2], g.N = n.shape[n.ndim() - 1], g.K = a.shape[a.ndim() - 1];
  g.ars = sa[a.ndim() - 2], g.acs = sa[a.ndim() - 1], g.brs = sb[b.ndim() - 2], g.bcs = sb[b.ndim() - 1];
  g.batch = shape_size(batch);
  Scratch s{dev, {}};
  c.make_current();
  g.oa = upload_offsets(c, s, batch_offsets(a.shape, sa, batch));
  g.ob = upload_offsets(c, s, batch_offsets(b.shape, sb, batch));
  g.a = device_ptr(a), g.b = device_ptr(b), g.c = device_ptr(n);
  const int64_t tiles = g.batch * ((g.M + 15) / 16) * ((g.N + 15) / 16);
  const OpSource src = int_matmul_source(n.dtype);
  LaunchDims d{unsigned(std::clamp<int64_t>(tiles, 1, int64_t(sm_count(dev)) * 32)), 256u, 0};
  void* params[] = {&g};
  launch(c, load_function(dev, src.source, src.name), d, params);
}

void matmul_any_kernel(Node& n) {
  if (n.dtype == DType::Bool || is_integer(n.dtype)) return int_matmul(n);
  matmul_kernel(n);  // cuBLAS (float32, float64; says which dtypes it lacks otherwise)
}

// ---- LAPACK through cuSOLVER ----

cudaDataType data_type(DType t) {
  switch (t) {
    case DType::Float32: return CUDA_R_32F;
    case DType::Float64: return CUDA_R_64F;
    case DType::Complex64: return CUDA_C_32F;
    case DType::Complex128: return CUDA_C_64F;
    default: throw TypeError("array type " + std::string(dtype_name(t)) + " is unsupported in linalg");
  }
}

// Everything a LAPACK kernel needs: its device, stream, handle and scratch.
struct Solver {
  int dev;
  Context& c;
  Scratch s;
  cusolverDnHandle_t h;
  cusolverDnParams_t p;
  CUdeviceptr info = 0;
  int64_t count = 0;
  explicit Solver(const std::vector<const Node*>& ops)
      : dev(operand_device(ops)), c(context(dev)), s{dev, {}}, h(nullptr), p(nullptr) {
    cusolver();  // CudaError naming why when the library is missing
    h = cusolver_handle(c);
    p = cusolver_params(c);
  }
  int* info_at(int64_t i) const { return reinterpret_cast<int*>(info) + i; }
  void infos(int64_t n) {
    count = n;
    info = s.get(size_t(std::max<int64_t>(n, 1)) * sizeof(int));
    c.make_current();
    EMBER_CU(cuMemsetD8Async, info, 0, size_t(std::max<int64_t>(n, 1)) * sizeof(int), c.stream);
  }
  // Raises LinAlgError(message) if any devInfo is positive (waits for the stream).
  void check(const char* message) {
    std::vector<int> host(size_t(std::max<int64_t>(count, 1)));
    c.make_current();
    EMBER_CU(cuMemcpyDtoHAsync, host.data(), info, host.size() * sizeof(int), c.stream);
    EMBER_CU(cuStreamSynchronize, c.stream);
    for (int64_t i = 0; i < count; ++i) {
      if (host[size_t(i)] > 0) throw LinAlgError(message);
      if (host[size_t(i)] < 0) throw CudaError("cuSOLVER: illegal argument " + std::to_string(-host[size_t(i)]));
    }
  }
};

// Copies the matrices of `in` (last two dims rows x cols, batch dims broadcast to `batch`) into
// column-major work matrices with leading dimension ld, mbs elements apart; `transpose` loads A^T.
void load_colmajor(const Context& c, const Node& in, const Shape& batch, CUdeviceptr dst, int64_t ld, int64_t mbs,
                   bool transpose = false) {
  const int nd = in.ndim();
  const Strides st = own_strides(in);
  int64_t rows = in.shape[nd - 2], cols = in.shape[nd - 1], rs = st[nd - 2], cs = st[nd - 1];
  if (transpose) std::swap(rows, cols), std::swap(rs, cs);
  Shape shape = batch;
  Strides src(batch.size(), 0), dsts(batch.size(), 0);
  const size_t own = size_t(nd - 2);
  for (size_t i = 0; i < own; ++i)
    if (in.shape[i] != 1) src[batch.size() - own + i] = st[i];
  int64_t step = mbs;
  for (size_t d = batch.size(); d-- > 0;) dsts[d] = step, step *= batch[d];
  shape.push_back(rows), shape.push_back(cols);
  src.push_back(rs), src.push_back(cs);
  dsts.push_back(1), dsts.push_back(ld);
  if (shape_size(shape) == 0) return;
  strided_copy(c, shape, itemsize(in.dtype), dst, dsts, device_ptr(in), src);
}

// out (row-major, contiguous: count x rows x cols) from work with strides (sbs, srs, scs); mode 1
// keeps the lower triangle, 2 the upper, 0 all.
void tri_copy(const Context& c, DType t, CUdeviceptr out, CUdeviceptr src, int64_t count, int64_t rows, int64_t cols,
              int64_t sbs, int64_t srs, int64_t scs, int mode) {
  const int64_t total = count * rows * cols;
  if (total == 0) return;
  const OpSource s = tri_copy_source(itemsize(t));
  void* params[] = {&out, &src, &count, &rows, &cols, &sbs, &srs, &scs, &mode};
  launch_1d(c, s, total, params);
}

// Identity matrices (rows x cols, row-major = column-major) at out + i * rows * cols.
void identities(const Context& c, DType t, CUdeviceptr out, int64_t count, int64_t rows, int64_t cols) {
  const OpSource s = eye_source(t);
  for (int64_t i = 0; i < count; ++i) {
    CUdeviceptr p = out + CUdeviceptr(i * rows * cols * itemsize(t));
    int64_t r = rows, cc = cols, k = 0;
    void* params[] = {&p, &r, &cc, &k};
    if (rows * cols > 0) launch_1d(c, s, rows * cols, params);
  }
}

Shape batch_of(const Node& n, int core) { return Shape(n.shape.begin(), n.shape.end() - core); }

struct Workspace {
  CUdeviceptr dev = 0;
  size_t dev_bytes = 0, host_bytes = 0;
  std::vector<char> host;
  void make(Scratch& s) {
    dev = s.get(dev_bytes);
    host.resize(std::max<size_t>(host_bytes, 1));
  }
};

void* vp(CUdeviceptr p) { return reinterpret_cast<void*>(p); }

void cholesky_kernel(Node& n) {
  const Node& in = *n.inputs.at(0);
  Solver sv({&in});
  allocate_output(n, sv.dev);
  const Shape batch = batch_of(n, 2);
  const int64_t count = shape_size(batch), m = n.shape.back(), item = itemsize(n.dtype);
  if (n.size() == 0) return;
  const CUdeviceptr work = sv.s.get(size_t(count * m * m * item));
  load_colmajor(sv.c, in, batch, work, m, m * m);
  const cublasFillMode_t uplo = n.params.flag ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  const cudaDataType dt = data_type(n.dtype);
  const Cusolver& L = cusolver();
  Workspace ws;
  check_solver(L.cusolverDnXpotrf_bufferSize(sv.h, sv.p, uplo, m, dt, vp(work), m, dt, &ws.dev_bytes, &ws.host_bytes),
               "cusolverDnXpotrf_bufferSize");
  ws.make(sv.s);
  sv.infos(count);
  for (int64_t i = 0; i < count; ++i)
    check_solver(L.cusolverDnXpotrf(sv.h, sv.p, uplo, m, dt, vp(work + CUdeviceptr(i * m * m * item)), m, dt, vp(ws.dev),
                                    ws.dev_bytes, ws.host.data(), ws.host_bytes, sv.info_at(i)),
                 "cusolverDnXpotrf");
  sv.check("Matrix is not positive definite");
  tri_copy(sv.c, n.dtype, device_ptr(n), work, count, m, m, m * m, 1, m, n.params.flag ? 2 : 1);
}

// LU factorization of every matrix of `in` into work (column-major) and ipiv (64-bit).
struct Lu {
  CUdeviceptr work = 0, ipiv = 0;
};
Lu lu_factor(Solver& sv, const Node& in, const Shape& batch, int64_t count, int64_t m) {
  const int64_t item = itemsize(in.dtype);
  Lu lu;
  lu.work = sv.s.get(size_t(count * m * m * item));
  lu.ipiv = sv.s.get(size_t(count * m) * sizeof(int64_t));
  sv.infos(count);
  if (m == 0 || count == 0) return lu;
  load_colmajor(sv.c, in, batch, lu.work, m, m * m);
  const cudaDataType dt = data_type(in.dtype);
  const Cusolver& L = cusolver();
  Workspace ws;
  check_solver(L.cusolverDnXgetrf_bufferSize(sv.h, sv.p, m, m, dt, vp(lu.work), m, dt, &ws.dev_bytes, &ws.host_bytes),
               "cusolverDnXgetrf_bufferSize");
  ws.make(sv.s);
  for (int64_t i = 0; i < count; ++i)
    check_solver(L.cusolverDnXgetrf(sv.h, sv.p, m, m, dt, vp(lu.work + CUdeviceptr(i * m * m * item)), m,
                                    reinterpret_cast<int64_t*>(lu.ipiv) + i * m, dt, vp(ws.dev), ws.dev_bytes,
                                    ws.host.data(), ws.host_bytes, sv.info_at(i)),
                 "cusolverDnXgetrf");
  return lu;
}

void det_like(Node& n, bool slog) {
  const Node& in = *n.inputs.at(0);
  Solver sv({&in});
  allocate_output(n, sv.dev);
  const Shape batch = n.shape;
  const int64_t count = shape_size(batch), m = in.shape.back();
  CUdeviceptr logout = 0;
  if (slog) {
    Data& logd = extra_outputs(n).data.at(0);
    logd = device_data(sv.dev, real_type(n.dtype), n.shape);
    logout = data_ptr(logd);
  }
  if (count == 0) return;
  const Lu lu = lu_factor(sv, in, batch, count, m);
  // Singular matrices give det 0 (no error), as NumPy: the infos go to the kernel, not to check().
  const OpSource s = lu_det_source(n.dtype);
  CUdeviceptr out = device_ptr(n), work = lu.work, ipiv = lu.ipiv, info = sv.info;
  int64_t cnt = count, mm = m, ld = std::max<int64_t>(m, 1), mbs = m * m;
  int sl = slog ? 1 : 0;
  void* params[] = {&work, &ipiv, &info, &out, &logout, &cnt, &mm, &ld, &mbs, &sl};
  launch_1d(sv.c, s, count, params);
}

void det_kernel(Node& n) { det_like(n, false); }
void slogdet_kernel(Node& n) { det_like(n, true); }

// inv (b == nullptr: B = I) and solve: X = A^-1 B for every batch element.
void lu_solve(Node& n, const Node* b) {
  const Node& in = *n.inputs.at(0);
  std::vector<const Node*> ops{&in};
  if (b) ops.push_back(b);
  Solver sv(ops);
  allocate_output(n, sv.dev);
  const Shape batch = batch_of(n, 2);
  const int64_t count = shape_size(batch), m = in.shape.back(), k = n.shape.back(), item = itemsize(n.dtype);
  if (n.size() == 0) return;
  const Lu lu = lu_factor(sv, in, batch, count, m);
  const CUdeviceptr rhs = sv.s.get(size_t(count * m * k * item));
  if (b) load_colmajor(sv.c, *b, batch, rhs, m, m * k);
  else identities(sv.c, n.dtype, rhs, count, m, m);
  const CUdeviceptr info2 = sv.s.get(size_t(count) * sizeof(int));
  const cudaDataType dt = data_type(n.dtype);
  const Cusolver& L = cusolver();
  for (int64_t i = 0; i < count; ++i)
    check_solver(L.cusolverDnXgetrs(sv.h, sv.p, CUBLAS_OP_N, m, k, dt, vp(lu.work + CUdeviceptr(i * m * m * item)), m,
                                    reinterpret_cast<const int64_t*>(lu.ipiv) + i * m, dt,
                                    vp(rhs + CUdeviceptr(i * m * k * item)), m, reinterpret_cast<int*>(info2) + i),
                 "cusolverDnXgetrs");
  sv.check("Singular matrix");  // getrf's infos: an exactly singular U
  tri_copy(sv.c, n.dtype, device_ptr(n), rhs, count, m, k, m * k, 1, m, 0);
}

void inv_kernel(Node& n) { lu_solve(n, nullptr); }
void solve_kernel(Node& n) { lu_solve(n, n.inputs.at(1).get()); }

// eigh: outputs[0] the eigenvalues (real), extra 0 the eigenvectors (when params.flag).
void eigh_kernel(Node& n) {
  const Node& in = *n.inputs.at(0);
  Solver sv({&in});
  allocate_output(n, sv.dev);
  const bool vectors = n.params.flag;
  Data& vec = extra_outputs(n).data.at(0);
  vec = device_data(sv.dev, in.dtype, vectors ? in.shape : Shape{0});
  const Shape batch = batch_of(n, 1);
  const int64_t count = shape_size(batch), m = in.shape.back(), item = itemsize(in.dtype);
  if (count == 0 || m == 0) return;
  const CUdeviceptr work = sv.s.get(size_t(count * m * m * item));
  load_colmajor(sv.c, in, batch, work, m, m * m);
  const cudaDataType dt = data_type(in.dtype), rt = data_type(real_type(in.dtype));
  const cusolverEigMode_t jobz = vectors ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  const Cusolver& L = cusolver();
  const int64_t ritem = itemsize(real_type(in.dtype));
  const CUdeviceptr w = device_ptr(n);
  Workspace ws;
  check_solver(L.cusolverDnXsyevd_bufferSize(sv.h, sv.p, jobz, CUBLAS_FILL_MODE_LOWER, m, dt, vp(work), m, rt, vp(w), dt,
                                             &ws.dev_bytes, &ws.host_bytes),
               "cusolverDnXsyevd_bufferSize");
  ws.make(sv.s);
  sv.infos(count);
  for (int64_t i = 0; i < count; ++i)
    check_solver(L.cusolverDnXsyevd(sv.h, sv.p, jobz, CUBLAS_FILL_MODE_LOWER, m, dt,
                                    vp(work + CUdeviceptr(i * m * m * item)), m, rt,
                                    vp(w + CUdeviceptr(i * m * ritem)), dt, vp(ws.dev), ws.dev_bytes, ws.host.data(),
                                    ws.host_bytes, sv.info_at(i)),
                 "cusolverDnXsyevd");
  sv.check("Eigenvalues did not converge");
  if (vectors) tri_copy(sv.c, in.dtype, data_ptr(vec), work, count, m, m, m * m, 1, m, 0);
}

// orgqr/ungqr: the typed legacy routine for the dtype (the 64-bit API has none).
void orgqr(const Solver& sv, DType t, int m, int n, int k, CUdeviceptr a, int lda, CUdeviceptr tau, Scratch& s,
           int64_t count, int64_t mbs, int* info) {
  const Cusolver& L = cusolver();
  int lwork = 0;
  const int64_t item = itemsize(t);
  auto run = [&](auto buffer_size, auto fn, auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    check_solver(buffer_size(sv.h, m, n, k, reinterpret_cast<const P*>(a), lda, reinterpret_cast<const P*>(tau), &lwork),
                 "cusolverDn<t>orgqr_bufferSize");
    const CUdeviceptr work = s.get(size_t(std::max(lwork, 1)) * size_t(item));
    for (int64_t i = 0; i < count; ++i)
      check_solver(fn(sv.h, m, n, k, reinterpret_cast<P*>(a + CUdeviceptr(i * mbs * item)), lda,
                      reinterpret_cast<const P*>(tau + CUdeviceptr(i * k * item)), reinterpret_cast<P*>(work), lwork,
                      info + i),
                   "cusolverDn<t>orgqr");
  };
  switch (t) {
    case DType::Float32: return run(L.cusolverDnSorgqr_bufferSize, L.cusolverDnSorgqr, (float*)nullptr);
    case DType::Float64: return run(L.cusolverDnDorgqr_bufferSize, L.cusolverDnDorgqr, (double*)nullptr);
    case DType::Complex64: return run(L.cusolverDnCungqr_bufferSize, L.cusolverDnCungqr, (cuComplex*)nullptr);
    default: return run(L.cusolverDnZungqr_bufferSize, L.cusolverDnZungqr, (cuDoubleComplex*)nullptr);
  }
}

// qr: outputs[0] Q, extra 0 R; params.flag = complete.
void qr_kernel(Node& n) {
  const Node& in = *n.inputs.at(0);
  Solver sv({&in});
  allocate_output(n, sv.dev);
  const Shape batch = batch_of(n, 2);
  const int64_t count = shape_size(batch), m = in.shape[in.ndim() - 2], nc = in.shape.back(), k = std::min(m, nc);
  const bool complete = n.params.flag;
  const int64_t qc = complete ? m : k, rr = complete ? m : k, wcols = std::max(nc, qc), item = itemsize(in.dtype);
  Shape rshape = batch;
  rshape.push_back(rr), rshape.push_back(nc);
  Data& rdata = extra_outputs(n).data.at(0);
  rdata = device_data(sv.dev, in.dtype, rshape);
  if (count == 0 || m == 0) {
    if (count * rr * nc > 0) EMBER_CU(cuMemsetD8Async, data_ptr(rdata), 0, size_t(count * rr * nc * item), sv.c.stream);
    return;
  }
  if (m > INT_MAX || wcols > INT_MAX) throw NotImplementedError("qr on cuda: a dimension exceeds cuSOLVER's int range");
  const int64_t mbs = m * wcols;
  const CUdeviceptr work = sv.s.get(size_t(count * mbs * item));
  const CUdeviceptr tau = sv.s.get(size_t(count * std::max<int64_t>(k, 1) * item));
  load_colmajor(sv.c, in, batch, work, m, mbs);
  const cudaDataType dt = data_type(in.dtype);
  const Cusolver& L = cusolver();
  sv.infos(count);
  if (k > 0) {
    Workspace ws;
    check_solver(L.cusolverDnXgeqrf_bufferSize(sv.h, sv.p, m, nc, dt, vp(work), m, dt, vp(tau), dt, &ws.dev_bytes,
                                               &ws.host_bytes),
                 "cusolverDnXgeqrf_bufferSize");
    ws.make(sv.s);
    for (int64_t i = 0; i < count; ++i)
      check_solver(L.cusolverDnXgeqrf(sv.h, sv.p, m, nc, dt, vp(work + CUdeviceptr(i * mbs * item)), m, dt,
                                      vp(tau + CUdeviceptr(i * k * item)), dt, vp(ws.dev), ws.dev_bytes, ws.host.data(),
                                      ws.host_bytes, sv.info_at(i)),
                   "cusolverDnXgeqrf");
  }
  tri_copy(sv.c, in.dtype, data_ptr(rdata), work, count, rr, nc, mbs, 1, m, 2);  // R before orgqr overwrites it
  if (qc > 0) orgqr(sv, in.dtype, int(m), int(qc), int(k), work, int(m), tau, sv.s, count, mbs, sv.info_at(0));
  sv.check("QR did not converge");
  tri_copy(sv.c, in.dtype, device_ptr(n), work, count, m, qc, mbs, 1, m, 0);
}

// svd: outputs[0] S, extra 0 U, extra 1 Vh; params.ints[0]: 0 values only, 1 reduced, 2 full.
// gesvd needs rows >= cols: a wide A is factored as A^T = U' S V'^H, so U = (V'^H)^T, Vh = U'^T.
void svd_kernel(Node& n) {
  const Node& in = *n.inputs.at(0);
  Solver sv({&in});
  allocate_output(n, sv.dev);
  const Shape batch = batch_of(n, 1);
  const int mode = int(n.params.ints.at(0));
  const int64_t count = shape_size(batch), m = in.shape[in.ndim() - 2], nc = in.shape.back(), k = std::min(m, nc);
  const int64_t ucols = mode == 2 ? m : k, vrows = mode == 2 ? nc : k, item = itemsize(in.dtype);
  auto& extra = extra_outputs(n).data;
  Shape us = batch, vs = batch;
  us.push_back(m), us.push_back(ucols), vs.push_back(vrows), vs.push_back(nc);
  extra.at(0) = device_data(sv.dev, in.dtype, mode ? us : Shape{0});
  extra.at(1) = device_data(sv.dev, in.dtype, mode ? vs : Shape{0});
  if (count == 0) return;
  if (k == 0) {  // nothing to factor: the singular vectors are identities
    if (mode) {
      identities(sv.c, in.dtype, data_ptr(extra[0]), count, m, ucols);
      identities(sv.c, in.dtype, data_ptr(extra[1]), count, vrows, nc);
    }
    return;
  }
  const bool wide = m < nc;
  const int64_t rows = wide ? nc : m, cols = wide ? m : nc;  // the factored matrix, rows >= cols
  const int64_t u_cols = mode == 2 ? rows : k, vt_rows = mode == 2 ? cols : k;
  const signed char job = mode == 0 ? 'N' : mode == 1 ? 'S' : 'A';
  const CUdeviceptr work = sv.s.get(size_t(count * rows * cols * item));
  const CUdeviceptr u = sv.s.get(size_t(mode ? count * rows * u_cols * item : item));
  const CUdeviceptr vt = sv.s.get(size_t(mode ? count * vt_rows * cols * item : item));
  load_colmajor(sv.c, in, batch, work, rows, rows * cols, wide);
  const cudaDataType dt = data_type(in.dtype), rt = data_type(real_type(in.dtype));
  const int64_t ritem = itemsize(real_type(in.dtype));
  const CUdeviceptr s = device_ptr(n);
  const Cusolver& L = cusolver();
  Workspace ws;
  check_solver(L.cusolverDnXgesvd_bufferSize(sv.h, sv.p, job, job, rows, cols, dt, vp(work), rows, rt, vp(s), dt, vp(u),
                                             rows, dt, vp(vt), std::max<int64_t>(vt_rows, 1), dt, &ws.dev_bytes,
                                             &ws.host_bytes),
               "cusolverDnXgesvd_bufferSize");
  ws.make(sv.s);
  sv.infos(count);
  for (int64_t i = 0; i < count; ++i)
    check_solver(L.cusolverDnXgesvd(sv.h, sv.p, job, job, rows, cols, dt, vp(work + CUdeviceptr(i * rows * cols * item)),
                                    rows, rt, vp(s + CUdeviceptr(i * k * ritem)), dt,
                                    vp(mode ? u + CUdeviceptr(i * rows * u_cols * item) : u), rows, dt,
                                    vp(mode ? vt + CUdeviceptr(i * vt_rows * cols * item) : vt),
                                    std::max<int64_t>(vt_rows, 1), dt, vp(ws.dev), ws.dev_bytes, ws.host.data(),
                                    ws.host_bytes, sv.info_at(i)),
                 "cusolverDnXgesvd");
  sv.check("SVD did not converge");
  if (!mode) return;
  if (!wide) {
    tri_copy(sv.c, in.dtype, data_ptr(extra[0]), u, count, m, ucols, rows * u_cols, 1, rows, 0);
    tri_copy(sv.c, in.dtype, data_ptr(extra[1]), vt, count, vrows, nc, vt_rows * cols, 1, vt_rows, 0);
  } else {  // U[r, c] = VT'[c, r]; Vh[r, c] = U'[c, r]
    tri_copy(sv.c, in.dtype, data_ptr(extra[0]), vt, count, m, ucols, vt_rows * cols, vt_rows, 1, 0);
    tri_copy(sv.c, in.dtype, data_ptr(extra[1]), u, count, vrows, nc, rows * u_cols, rows, 1, 0);
  }
}

// linalg_conj: a copy, conjugated (a fused Kernel of one conj instruction).
void linalg_conj_kernel(Node& n) {
  const NodePtr& in = n.inputs.at(0);
  auto conj = std::make_shared<Node>();
  conj->op = "conj";
  conj->kind = Kind::Elementwise;
  conj->dtype = n.dtype;
  conj->shape = n.shape;
  conj->device = DeviceType::CUDA;
  conj->inputs = {in};
  KernelDesc k;
  k.shape = in->shape;
  k.inputs = {in.get()};
  k.code.push_back({conj.get(), {0}});
  k.outputs = {1};
  run_fused(k);
  n.data = conj->data;
}

void linalg_output_kernel(Node& n) {
  Node& primary = *n.inputs.at(0);
  n.data = extra_outputs(primary).data.at(size_t(n.params.ints.at(0)));
}

}  // namespace

void register_linalg_ops() {
  register_kernel(DeviceType::CUDA, "matmul", matmul_any_kernel);
  register_kernel(DeviceType::CUDA, "vector_norm", vector_norm_kernel);
  register_kernel(DeviceType::CUDA, "linalg_output", linalg_output_kernel);
  register_kernel(DeviceType::CUDA, "linalg_conj", linalg_conj_kernel);
  register_kernel(DeviceType::CUDA, "cholesky", cholesky_kernel);
  register_kernel(DeviceType::CUDA, "det", det_kernel);
  register_kernel(DeviceType::CUDA, "slogdet", slogdet_kernel);
  register_kernel(DeviceType::CUDA, "inv", inv_kernel);
  register_kernel(DeviceType::CUDA, "solve", solve_kernel);
  register_kernel(DeviceType::CUDA, "eigh", eigh_kernel);
  register_kernel(DeviceType::CUDA, "qr", qr_kernel);
  register_kernel(DeviceType::CUDA, "svd", svd_kernel);
}

}  // namespace ember::cuda
