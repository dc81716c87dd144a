// The cpu kernels of the collective primitives. Each first compares the ranks' shapes and dtypes
// with a small all-gather, so every rank raises the same ValueError on a mismatch (nobody is left
// waiting), then moves the data with one MPI call. In a world of one rank they return their input.
#include <mpi.h>

#include <climits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/device.h"
#include "ember/distributed/comm.h"
#include "ember/distributed/trace.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"

namespace ember::distributed {
namespace {

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw std::runtime_error(std::string(call) + " failed: " + std::string(msg, len));
}

int to_int(int64_t v, const char* what) {
  if (v > INT_MAX) throw ValueError(std::string(what) + " is too large for one MPI message (" + std::to_string(v) + ")");
  return static_cast<int>(v);
}

// This rank's (dtype, shape) against every rank's: two small all-gathers (fixed size, then dims).
struct Signature {
  int64_t dtype = 0;
  Shape shape;
};

std::vector<Signature> exchange_signatures(const Node& in) {
  int n = size();
  int64_t head[2] = {static_cast<int64_t>(in.dtype), in.ndim()};
  std::vector<int64_t> heads(2 * n);
  check(MPI_Allgather(head, 2, MPI_INT64_T, heads.data(), 2, MPI_INT64_T, MPI_COMM_WORLD), "MPI_Allgather");
  int64_t max_nd = 0;
  for (int r = 0; r < n; ++r) max_nd = std::max(max_nd, heads[2 * r + 1]);
  std::vector<int64_t> mine(max_nd, -1), dims(max_nd * n);
  for (int i = 0; i < in.ndim(); ++i) mine[i] = in.shape[i];
  if (max_nd > 0)
    check(MPI_Allgather(mine.data(), static_cast<int>(max_nd), MPI_INT64_T, dims.data(), static_cast<int>(max_nd),
                        MPI_INT64_T, MPI_COMM_WORLD),
          "MPI_Allgather");
  std::vector<Signature> sigs(n);
  for (int r = 0; r < n; ++r) {
    sigs[r].dtype = heads[2 * r];
    sigs[r].shape.assign(dims.begin() + r * max_nd, dims.begin() + r * max_nd + heads[2 * r + 1]);
  }
  return sigs;
}

std::string describe(const std::vector<Signature>& sigs) {
  std::string s;
  for (size_t r = 0; r < sigs.size(); ++r) {
    if (r) s += ", ";
    s += "rank " + std::to_string(r) + ": " + shape_str(sigs[r].shape) + " " +
         std::string(dtype_name(static_cast<DType>(sigs[r].dtype)));
  }
  return s;
}

[[noreturn]] void mismatch(const Node& n, const std::vector<Signature>& sigs, const std::string& rule) {
  throw ValueError(std::string(n.op) + ": " + rule + " across ranks, got " + describe(sigs));
}

// Every rank must hold the same shape and dtype.
void check_same(const Node& n) {
  auto sigs = exchange_signatures(*n.inputs[0]);
  for (auto& s : sigs)
    if (s.dtype != sigs[0].dtype || s.shape != sigs[0].shape) mismatch(n, sigs, "shapes and dtypes must match");
}

MPI_Datatype mpi_type(DType t) {
  switch (t) {
    case DType::Bool: return MPI_C_BOOL;
    case DType::Int8: return MPI_INT8_T;
    case DType::Int16: return MPI_INT16_T;
    case DType::Int32: return MPI_INT32_T;
    case DType::Int64: return MPI_INT64_T;
    case DType::UInt8: return MPI_UINT8_T;
    case DType::UInt16: return MPI_UINT16_T;
    case DType::UInt32: return MPI_UINT32_T;
    case DType::UInt64: return MPI_UINT64_T;
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Complex64: return MPI_C_FLOAT_COMPLEX;
    case DType::Complex128: return MPI_C_DOUBLE_COMPLEX;
    default: throw TypeError("no MPI type for dtype " + std::string(dtype_name(t)));
  }
}

MPI_Op mpi_op(std::string_view prim, DType t) {
  bool b = t == DType::Bool;
  if (prim == "all_sum") return b ? MPI_LOR : MPI_SUM;
  if (prim == "all_prod") return b ? MPI_LAND : MPI_PROD;
  if (prim == "all_max") return b ? MPI_LOR : MPI_MAX;
  return b ? MPI_LAND : MPI_MIN;
}

// A contiguous MPI type of `bytes` bytes, freed on scope exit.
struct BlockType {
  MPI_Datatype t = MPI_DATATYPE_NULL;
  explicit BlockType(int64_t bytes) {
    check(MPI_Type_contiguous(to_int(bytes, "a block's byte count"), MPI_BYTE, &t), "MPI_Type_contiguous");
    check(MPI_Type_commit(&t), "MPI_Type_commit");
  }
  ~BlockType() { MPI_Type_free(&t); }
  BlockType(const BlockType&) = delete;
  BlockType& operator=(const BlockType&) = delete;
};

int64_t nbytes(const Node& n) { return n.size() * itemsize(n.dtype); }
// Bytes of one index along axis 0 (from the trailing dims, so also right for a rank holding no rows).
int64_t row_bytes(const Node& n) {
  int64_t b = itemsize(n.dtype);
  for (int i = 1; i < n.ndim(); ++i) b *= n.shape[i];
  return b;
}

// In a world of one rank a collective is the identity: the node shares its input's buffer.
bool alone(Node& n) {
  if (size() > 1) return false;
  n.data = n.inputs[0]->data;
  return true;
}

// Times the kernel's communication into this rank's trace.
struct Timed {
  std::string_view name;
  int64_t bytes;
  double t0 = wtime();
  ~Timed() { record({std::string(name), t0, wtime() - t0, bytes}); }
};

// ---- the split-phase all-reduce ----

constexpr const char* kReduceNames[] = {"all_sum", "all_prod", "all_max", "all_min"};

// The all-reduces posted and not yet completed, by start node.
struct InFlight {
  std::vector<MPI_Request> requests;
  std::shared_ptr<Buffer> input;  // MPI reads it until the completion: held here, not copied
  double t0 = 0;
};
std::mutex g_flight_mu;
std::unordered_map<const Node*, InFlight> g_in_flight;

// Checks the ranks' shapes and dtypes (blocking, small), then posts MPI_Iallreduce from the input
// into the result.
void all_reduce_start_kernel(Node& n) {
  if (alone(n)) return;
  double t0 = wtime();
  check_same(n);
  cpu::alloc_output(n);
  const Node& in = *n.inputs[0];
  int item = itemsize(n.dtype);
  const char* name = kReduceNames[n.params.ints.at(0)];
  MPI_Datatype type = mpi_type(n.dtype);
  MPI_Op op = mpi_op(name, n.dtype);
  InFlight f;
  f.t0 = t0;
  f.input = in.data.buffer;
  constexpr int64_t kChunk = int64_t{1} << 30;  // MPI counts are ints
  for (int64_t done = 0, total = n.size(); done < total; done += kChunk) {
    int count = static_cast<int>(std::min(kChunk, total - done));
    f.requests.emplace_back();
    check(MPI_Iallreduce(in.data.byte_ptr(item) + done * item, n.data.byte_ptr(item) + done * item, count, type, op,
                         MPI_COMM_WORLD, &f.requests.back()),
          "MPI_Iallreduce");
  }
  std::lock_guard<std::mutex> lock(g_flight_mu);
  g_in_flight[&n] = std::move(f);
}

// Waits for the all-reduce its input started; the result is the start's buffer.
void all_reduce_done_kernel(Node& n) {
  Node& start = *n.inputs[0];
  if (size() > 1) {
    InFlight f;
    {
      std::lock_guard<std::mutex> lock(g_flight_mu);
      auto it = g_in_flight.find(&start);
      if (it == g_in_flight.end()) throw std::logic_error(std::string(n.op) + ": its start was not posted");
      f = std::move(it->second);
      g_in_flight.erase(it);
    }
    check(MPI_Waitall(static_cast<int>(f.requests.size()), f.requests.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    record({std::string(n.op), f.t0, wtime() - f.t0, nbytes(n)});
  }
  n.data = start.data;
}

// Between Kernels: lets MPI move the posted all-reduces along (it progresses only inside MPI calls).
void progress_in_flight() {
  std::unique_lock<std::mutex> lock(g_flight_mu, std::try_to_lock);
  if (!lock.owns_lock() || g_in_flight.empty()) return;
  for (auto& [node, f] : g_in_flight) {
    int flag = 0;
    MPI_Testall(static_cast<int>(f.requests.size()), f.requests.data(), &flag, MPI_STATUSES_IGNORE);
  }
}

void all_gather_kernel(Node& n) {
  if (alone(n)) return;
  Timed timed{n.op, nbytes(n)};
  const Node& in = *n.inputs[0];
  auto sigs = exchange_signatures(in);
  const auto& counts = n.params.ints;
  // The expected lengths are this rank's parameters, so the verdict is agreed on by all ranks.
  bool ok = counts.size() == sigs.size();
  for (size_t r = 0; ok && r < sigs.size(); ++r) {
    const Shape& s = sigs[r].shape;
    ok = sigs[r].dtype == sigs[0].dtype && s.size() == in.shape.size() && !s.empty() && s[0] == counts[r] &&
         std::equal(s.begin() + 1, s.end(), in.shape.begin() + 1);
  }
  int all_ok = ok;
  check(MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "MPI_Allreduce");
  if (!all_ok)
    mismatch(n, sigs, "dtypes and trailing dims must match and axis 0 must have the lengths " + shape_str(counts));
  cpu::alloc_output(n);
  int64_t rb = row_bytes(in);
  if (rb == 0 || n.size() == 0) return;
  BlockType row(rb);
  std::vector<int> recv_counts(counts.size()), displs(counts.size());
  int64_t offset = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    recv_counts[r] = to_int(counts[r], "a rank's row count");
    displs[r] = to_int(offset, "a row offset");
    offset += counts[r];
  }
  int item = itemsize(n.dtype);
  check(MPI_Allgatherv(in.data.byte_ptr(item), recv_counts[rank()], row.t, n.data.byte_ptr(item), recv_counts.data(),
                       displs.data(), row.t, MPI_COMM_WORLD),
        "MPI_Allgatherv");
}

void all_to_all_kernel(Node& n) {
  if (alone(n)) return;
  Timed timed{n.op, nbytes(n)};
  check_same(n);
  cpu::alloc_output(n);
  int64_t block = nbytes(n) / size();
  if (block == 0) return;
  BlockType type(block);
  int item = itemsize(n.dtype);
  check(MPI_Alltoall(n.inputs[0]->data.byte_ptr(item), 1, type.t, n.data.byte_ptr(item), 1, type.t, MPI_COMM_WORLD),
        "MPI_Alltoall");
}

void broadcast_kernel(Node& n) {
  if (alone(n)) return;
  Timed timed{n.op, nbytes(n)};
  check_same(n);
  int root = static_cast<int>(n.params.ints.at(0));
  int item = itemsize(n.dtype);
  if (rank() == root) {
    n.data = n.inputs[0]->data;  // root keeps its own buffer
  } else {
    cpu::alloc_output(n);
  }
  if (nbytes(n) == 0) return;
  BlockType all(nbytes(n));
  check(MPI_Bcast(n.data.byte_ptr(item), 1, all.t, root, MPI_COMM_WORLD), "MPI_Bcast");
}

// send/recv: the sender sends its (dtype, shape) header and waits for the receiver's verdict, so a
// mismatch raises ValueError on both ranks and no payload is left unmatched.
void send_kernel(Node& n) {
  Timed timed{n.op, nbytes(n)};
  const Node& in = *n.inputs[0];
  int dst = static_cast<int>(n.params.ints.at(0)), tag = static_cast<int>(n.params.ints.at(1));
  std::vector<int64_t> head{static_cast<int64_t>(in.dtype)};
  head.insert(head.end(), in.shape.begin(), in.shape.end());
  check(MPI_Send(head.data(), static_cast<int>(head.size()), MPI_INT64_T, dst, tag, MPI_COMM_WORLD), "MPI_Send");
  int ok = 0;
  check(MPI_Recv(&ok, 1, MPI_INT, dst, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  if (!ok)
    throw ValueError("send: rank " + std::to_string(dst) + " expected a different shape or dtype than this rank's " +
                     shape_str(in.shape) + " " + std::string(dtype_name(in.dtype)));
  if (nbytes(in) > 0) {
    BlockType all(nbytes(in));
    check(MPI_Send(in.data.byte_ptr(itemsize(in.dtype)), 1, all.t, dst, tag, MPI_COMM_WORLD), "MPI_Send");
  }
  n.data = in.data;
}

void recv_kernel(Node& n) {
  Timed timed{n.op, nbytes(n)};
  int src = static_cast<int>(n.params.ints.at(0)), tag = static_cast<int>(n.params.ints.at(1));
  MPI_Status status;
  check(MPI_Probe(src, tag, MPI_COMM_WORLD, &status), "MPI_Probe");
  int len = 0;
  MPI_Get_count(&status, MPI_INT64_T, &len);
  std::vector<int64_t> head(std::max(len, 1));
  check(MPI_Recv(head.data(), len, MPI_INT64_T, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  Shape got(head.begin() + 1, head.begin() + std::max(len, 1));
  int ok = head[0] == static_cast<int64_t>(n.dtype) && got == n.shape;
  check(MPI_Send(&ok, 1, MPI_INT, src, tag, MPI_COMM_WORLD), "MPI_Send");
  if (!ok)
    throw ValueError("recv: expected " + shape_str(n.shape) + " " + std::string(dtype_name(n.dtype)) + " from rank " +
                     std::to_string(src) + ", which sent " + shape_str(got) + " " +
                     std::string(dtype_name(static_cast<DType>(head[0]))));
  cpu::alloc_output(n);
  if (nbytes(n) > 0) {
    BlockType all(nbytes(n));
    check(MPI_Recv(n.data.byte_ptr(itemsize(n.dtype)), 1, all.t, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
  }
}

}  // namespace

void register_kernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* op : kReduceNames) register_kernel(DeviceType::CPU, op, all_reduce_done_kernel);
    register_kernel(DeviceType::CPU, "all_reduce_start", all_reduce_start_kernel);
    set_between_kernels(progress_in_flight);
    register_kernel(DeviceType::CPU, "all_gather", all_gather_kernel);
    register_kernel(DeviceType::CPU, "all_to_all", all_to_all_kernel);
    register_kernel(DeviceType::CPU, "broadcast", broadcast_kernel);
    register_kernel(DeviceType::CPU, "send", send_kernel);
    register_kernel(DeviceType::CPU, "recv", recv_kernel);
  });
}

}  // namespace ember::distributed
