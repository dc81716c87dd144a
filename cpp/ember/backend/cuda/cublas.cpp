// Row-major C (M x N) = A (M x K) B (K x N) is column-major C^T = B^T A^T: cuBLAS gets B first, and a
// row-major matrix read column-major is already its transpose, so contiguous operands need no copy.
#include "ember/backend/cuda/cublas.h"

#include <cublas_api.h>

#include <climits>
#include <mutex>
#include <unordered_map>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/dynlib.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/transfer.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

struct Cublas {
  DynLib lib{"libcublas.so.13", "libcublas.so.12", "libcublas.so"};
  decltype(&::cublasCreate_v2) create = lib.get<decltype(create)>("cublasCreate_v2");
  decltype(&::cublasSetStream_v2) set_stream = lib.get<decltype(set_stream)>("cublasSetStream_v2");
  decltype(&::cublasSgemm_v2) sgemm = lib.get<decltype(sgemm)>("cublasSgemm_v2");
  decltype(&::cublasDgemm_v2) dgemm = lib.get<decltype(dgemm)>("cublasDgemm_v2");
  decltype(&::cublasSgemmStridedBatched) sgemm_batched = lib.get<decltype(sgemm_batched)>("cublasSgemmStridedBatched");
  decltype(&::cublasDgemmStridedBatched) dgemm_batched = lib.get<decltype(dgemm_batched)>("cublasDgemmStridedBatched");
  decltype(&::cublasGetStatusString) status_string = lib.get<decltype(status_string)>("cublasGetStatusString");
  bool ok() const { return lib.ok() && create && set_stream && sgemm && dgemm && sgemm_batched && dgemm_batched; }
};

// Leaked on purpose, as the driver (DynLib's destructor): cuBLAS must outlive every handle.
const Cublas& lib() {
  static const Cublas* c = new Cublas;
  return *c;
}

void check_blas(cublasStatus_t s, const char* call) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  const char* text = lib().status_string ? lib().status_string(s) : nullptr;
  throw CudaError(std::string(call) + " failed: " + (text ? text : "cublasStatus " + std::to_string(int(s))));
}

// One handle per device, bound to that device's stream (created with its context current).
cublasHandle_t handle(const Context& c) {
  static std::mutex mu;
  static std::unordered_map<int, cublasHandle_t> handles;
  std::lock_guard lock(mu);
  auto it = handles.find(c.index);
  if (it != handles.end()) return it->second;
  if (!lib().ok()) throw CudaError("cuBLAS is unavailable: " + cublas_why_unavailable());
  c.make_current();
  cublasHandle_t h = nullptr;
  check_blas(lib().create(&h), "cublasCreate");
  check_blas(lib().set_stream(h, reinterpret_cast<cudaStream_t>(c.stream)), "cublasSetStream");
  handles.emplace(c.index, h);
  return h;
}

cublasOperation_t op(const GemmOperand& g) { return g.transpose ? CUBLAS_OP_T : CUBLAS_OP_N; }

template <class T>
void gemm(cublasHandle_t h, const GemmOperand& ga, const GemmOperand& gb, int m, int n, int k, const T* a,
          const T* b, T* c, int64_t batch, int64_t stride_a, int64_t stride_b) {
  const T one = 1, zero = 0;
  const auto& L = lib();
  // Column-major: C^T (N x M) = op(B) (N x K) * op(A) (K x M).
  if (batch == 1) {
    if constexpr (std::is_same_v<T, float>)
      check_blas(L.sgemm(h, op(gb), op(ga), n, m, k, &one, b, gb.ld, a, ga.ld, &zero, c, std::max(1, n)), "cublasSgemm");
    else
      check_blas(L.dgemm(h, op(gb), op(ga), n, m, k, &one, b, gb.ld, a, ga.ld, &zero, c, std::max(1, n)), "cublasDgemm");
    return;
  }
  const long long sc = (long long)m * n;
  if constexpr (std::is_same_v<T, float>)
    check_blas(L.sgemm_batched(h, op(gb), op(ga), n, m, k, &one, b, gb.ld, stride_b, a, ga.ld, stride_a, &zero, c,
                               std::max(1, n), sc, int(batch)),
               "cublasSgemmStridedBatched");
  else
    check_blas(L.dgemm_batched(h, op(gb), op(ga), n, m, k, &one, b, gb.ld, stride_b, a, ga.ld, stride_a, &zero, c,
                               std::max(1, n), sc, int(batch)),
               "cublasDgemmStridedBatched");
}

// The step of an arithmetic progression, or false.
bool progression(const std::vector<int64_t>& v, int64_t* step) {
  *step = v.size() > 1 ? v[1] - v[0] : 0;
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i] - v[i - 1] != *step) return false;
  return true;
}

template <class T>
void run_matmul(Node& n, const Context& c, const Node& a, const Node& b) {
  const int64_t m = n.shape[n.ndim() - 2], nn = n.shape[n.ndim() - 1], k = a.shape[a.ndim() - 1];
  if (m > INT_MAX || nn > INT_MAX || k > INT_MAX)
    throw NotImplementedError("matmul on cuda: a dimension exceeds cuBLAS's int range");
  GemmOperand ga, gb;
  const Strides& sa = a.data.strides;
  const Strides& sb = b.data.strides;
  if (!gemm_operand(m, k, sa[a.ndim() - 2], sa[a.ndim() - 1], &ga) ||
      !gemm_operand(k, nn, sb[b.ndim() - 2], sb[b.ndim() - 1], &gb))
    throw NotImplementedError("matmul on cuda: an operand's matrices have no unit stride along rows or columns; "
                              "make the operand contiguous first");
  const Shape batch(n.shape.begin(), n.shape.end() - 2);
  const auto oa = batch_offsets(a.shape, sa, batch), ob = batch_offsets(b.shape, sb, batch);
  const T* pa = reinterpret_cast<const T*>(device_ptr(a));
  const T* pb = reinterpret_cast<const T*>(device_ptr(b));
  T* pc = reinterpret_cast<T*>(device_ptr(n));
  cublasHandle_t h = handle(c);
  // Kernels run on several scheduler threads; one handle's workspace is not for concurrent calls.
  static std::mutex call_mu;
  std::lock_guard lock(call_mu);
  int64_t da = 0, db = 0;
  if (oa.size() > 1 && oa.size() <= size_t(INT_MAX) && progression(oa, &da) && progression(ob, &db)) {
    gemm<T>(h, ga, gb, int(m), int(nn), int(k), pa + oa[0], pb + ob[0], pc, int64_t(oa.size()), da, db);
    return;
  }
  for (size_t i = 0; i < oa.size(); ++i)  // irregular batches: one gemm per matrix
    gemm<T>(h, ga, gb, int(m), int(nn), int(k), pa + oa[i], pb + ob[i], pc + int64_t(i) * m * nn, 1, 0, 0);
}

}  // namespace

bool cublas_loadable() { return lib().ok(); }

std::string cublas_why_unavailable() {
  if (lib().ok()) return {};
  if (!lib().lib.ok()) return "no cuBLAS library could be loaded (" + lib().lib.error() + ")";
  return lib().lib.name() + " lacks a needed function (cublasCreate_v2, cublas[SD]gemm_v2 or the strided-batched gemms)";
}

bool gemm_operand(int64_t rows, int64_t cols, int64_t rs, int64_t cs, GemmOperand* out) {
  if (cols == 1) cs = 1;  // a single column or row: its stride along that axis is never used
  if (rows == 1) rs = std::max<int64_t>(1, cols);
  if (cs == 1 && rs >= std::max<int64_t>(1, cols) && rs <= INT_MAX) {
    *out = {false, int(rs)};  // row-major rows x cols, read column-major as its transpose
    return true;
  }
  if (rs == 1 && cs >= std::max<int64_t>(1, rows) && cs <= INT_MAX) {
    *out = {true, int(cs)};  // column-major: cuBLAS transposes it
    return true;
  }
  return false;
}

std::vector<int64_t> batch_offsets(const Shape& shape, const Strides& strides, const Shape& batch) {
  // Right-align the operand's batch dims with `batch`; broadcast dims (missing or of size 1) step 0.
  const size_t nb = batch.size(), own = shape.size() - 2;
  Strides st(nb, 0);
  for (size_t i = 0; i < own; ++i)
    if (shape[i] != 1) st[nb - own + i] = strides[i];
  std::vector<int64_t> out;
  const int64_t count = shape_size(batch);
  out.reserve(size_t(count));
  std::vector<int64_t> ix(nb, 0);
  int64_t off = 0;
  for (int64_t i = 0; i < count; ++i) {
    out.push_back(off);
    for (size_t d = nb; d-- > 0;) {
      if (++ix[d] < batch[d]) { off += st[d]; break; }
      off -= st[d] * (batch[d] - 1);
      ix[d] = 0;
    }
  }
  return out;
}

void matmul_kernel(Node& n) {
  if (n.dtype != DType::Float32 && n.dtype != DType::Float64)
    throw NotImplementedError("'matmul' is not implemented on device cuda for dtype " + std::string(dtype_name(n.dtype)) +
                              " (cuBLAS path: float32 and float64)");
  const Node& a = *n.inputs.at(0);
  const Node& b = *n.inputs.at(1);
  if (a.device != DeviceType::CUDA || b.device != DeviceType::CUDA)
    throw NotImplementedError("matmul on cuda: both operands must be on device cuda");
  const int dev = memory_of(a).device;
  if (memory_of(b).device != dev)
    throw NotImplementedError("matmul on cuda: the operands are on different GPUs (" + std::to_string(dev) + " and " +
                              std::to_string(memory_of(b).device) + ")");
  Context& c = context(dev);
  allocate_output(n, dev);
  if (n.size() == 0) return;
  if (n.dtype == DType::Float32) run_matmul<float>(n, c, a, b);
  else run_matmul<double>(n, c, a, b);
}

}  // namespace ember::cuda
