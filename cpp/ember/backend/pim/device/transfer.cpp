// Host <-> PIM bulk transfers (to_device), and the opt-in cpu fallback built on them.
#include <cstring>

#include "ember/backend/device.h"
#include "ember/graph/pack.h"
#include "ember/errors.h"
#include "kernels.h"

namespace ember::pim {

namespace {

int64_t words(const Tensor& t) { return int64_t(t.n) * t.regs.nregs; }

}  // namespace

Tensor upload(const Data& d, ember::DType dtype, const Shape& shape) {
  const DType t = to_pim_storage(dtype);
  const uint64_t n = uint64_t(shape_size(shape));
  if (n == 0) return empty_tensor(t);
  auto bytes = pack_window(d, shape, itemsize(dtype));
  Tensor out = alloc(n, t);
  machine().write(out, bytes.data());
  charge({1, int64_t(n), words(out)});
  return out;
}

Data download(const Tensor& t, ember::DType dtype, const Shape& shape) {
  Data d;
  d.buffer = allocate_buffer(size_t(shape_size(shape)) * itemsize(dtype));
  d.strides = contiguous_strides(shape);
  if (t.n == 0) return d;
  machine().read(t, d.buffer->data());
  charge({1, int64_t(t.n), words(t)});
  return d;
}

void to_device_kernel(Node& n) {
  const Node& in = *n.inputs[0];
  const auto target = static_cast<DeviceType>(n.params.ints.at(0));
  if (target == DeviceType::PIM) {
    if (in.device == DeviceType::PIM) return void(n.data = in.data);
    set_tensor(n, upload(in.data, n.dtype, n.shape));
  } else if (target == DeviceType::CPU) {
    n.data = download(tensor_of(in), n.dtype, n.shape);
  } else {
    throw NotImplementedError("pim: no transfer to device " + std::string(device_name(target)));
  }
}

void cpu_fallback(Node& n, const std::string& why, bool index_op) {
  auto& s = state();
  if (!s.fallback_cpu && !index_op)
    throw NotImplementedError("'" + std::string(n.op) + "' is not implemented on device pim (" + why +
                              "); call ember.pim.fallback('cpu') to run it on the host");
  Kernel k = find_kernel(DeviceType::CPU, n.op);
  if (!k) throw NotImplementedError("'" + std::string(n.op) + "' is implemented on no device");
  static std::set<std::string> warned;
  if (!index_op && warned.insert(std::string(n.op)).second && s.warn)
    s.warn("ember.pim: '" + std::string(n.op) + "' runs on the host (cpu fallback; transfers are charged)");
  Node host;
  host.op = n.op, host.kind = n.kind, host.params = n.params, host.dtype = n.dtype, host.shape = n.shape;
  host.device = DeviceType::CPU, host.origin = n.origin;
  for (auto& in : n.inputs) {
    if (in->device != DeviceType::PIM) {
      host.inputs.push_back(in);
      continue;
    }
    host.inputs.push_back(make_leaf(in->dtype, in->shape, download(tensor_of(*in), in->dtype, in->shape)));
  }
  k(host);
  set_tensor(n, upload(host.data, n.dtype, n.shape));
}

}  // namespace ember::pim
