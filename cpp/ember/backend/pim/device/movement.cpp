// Data-movement nodes (gather by integer index arrays, scatter, concat): the host works out which source
// element each output element copies, by running the op's index logic on element numbers (the
// cpu device's kernel, reached through the device table, over an int64 iota); the data never
// leaves memory: it is moved with MOVE micro-ops. Index arrays on pim are read back (charged).
#include <cstring>
#include <numeric>

#include "ember/backend/device.h"
#include "kernels.h"

namespace ember::pim {
namespace {

// scatter's inputs: the old storage version, the values written, then the index arrays.
bool is_data(const Node& n, size_t i) { return n.op == "concat" || i == 0 || (n.op == "scatter" && i == 1); }

void movement_kernel(Node& n) {
  Kernel k = find_kernel(DeviceType::CPU, n.op);
  if (!k) throw Unsupported("no index logic");
  const DType t = to_pim_storage(n.dtype);
  Node host;
  host.op = n.op, host.kind = n.kind, host.params = n.params, host.shape = n.shape;
  host.dtype = ember::DType::Int64, host.device = DeviceType::CPU, host.origin = n.origin;
  std::vector<int64_t> base;  // first element number of each data input
  int64_t total = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const NodePtr& in = n.inputs[i];
    if (is_data(n, i)) {
      Data d;
      d.buffer = allocate_buffer(size_t(std::max<int64_t>(in->size(), 1)) * sizeof(int64_t));
      d.strides = contiguous_strides(in->shape);
      std::iota(reinterpret_cast<int64_t*>(d.buffer->data()), reinterpret_cast<int64_t*>(d.buffer->data()) + in->size(),
                total);
      host.inputs.push_back(make_leaf(ember::DType::Int64, in->shape, std::move(d)));
      base.push_back(total);
      total += in->size();
    } else if (in->device == DeviceType::PIM) {
      host.inputs.push_back(make_leaf(in->dtype, in->shape, download(tensor_of(*in), in->dtype, in->shape)));
    } else {
      host.inputs.push_back(in);
    }
  }
  k(host);
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  // The element number each output element copies, row-major.
  const auto pos = strided_index(n.shape, host.data.strides, 0);
  const int64_t* src_no = host.data.ptr<int64_t>();
  // A scatter starts from a copy of the old version (one parallel copy) and moves only the writes.
  const bool from_old = n.op == "scatter";
  Tensor out = from_old ? alloc_like(tensor_of(*n.inputs[0]), t) : alloc(uint64_t(n.size()), t);
  try {
    if (from_old) run(Macro::Copy, out, {tensor_of(*n.inputs[0])});
    size_t data_i = 0;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!is_data(n, i)) continue;
      const int64_t lo = base[data_i], hi = lo + n.inputs[i]->size();
      ++data_i;
      std::vector<uint64_t> src, dst;
      for (size_t j = 0; j < pos.size(); ++j) {
        const int64_t s = src_no[pos[j]];
        if (from_old && i == 0 && s == int64_t(j)) continue;  // unchanged: already copied
        if (s >= lo && s < hi) src.push_back(uint64_t(s - lo)), dst.push_back(j);
      }
      if (!src.empty()) move_elements(tensor_of(*n.inputs[i]), src, out, dst);
    }
  } catch (...) {
    machine().free(out);
    throw;
  }
  set_tensor(n, out);
}

void host_index_kernel(Node&) { throw HostIndexOp{}; }

}  // namespace

void register_movement() {
  register_kernel(DeviceType::PIM, "nonzero_count", profiled<host_index_kernel>);
  register_kernel(DeviceType::PIM, "nonzero", profiled<host_index_kernel>);
  register_kernel(DeviceType::PIM, "gather", profiled<movement_kernel>);
  register_kernel(DeviceType::PIM, "scatter", profiled<movement_kernel>);
  register_kernel(DeviceType::PIM, "concat", profiled<movement_kernel>);
}

}  // namespace ember::pim
