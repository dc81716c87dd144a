#include "ember/backend/cuda/operands.h"

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {

int operand_device(const std::vector<const Node*>& operands) {
  int dev = -1;
  for (const Node* n : operands) {
    if (n->device != DeviceType::CUDA || !n->data.buffer || !n->data.buffer->device) continue;
    const int d = memory_of(*n).device;
    if (dev >= 0 && d != dev)
      throw NotImplementedError("cuda: the operands are on different GPUs (" + std::to_string(dev) + " and " +
                                std::to_string(d) + "); no peer copies yet");
    dev = d;
  }
  return dev >= 0 ? dev : current_device();
}

CUdeviceptr Operands::address(const Node& n) {
  if (n.device == DeviceType::CUDA) return device_ptr(n);
  if (n.device != DeviceType::CPU || n.size() != 1 || !n.data.buffer || !n.data.buffer->data())
    throw NotImplementedError("cuda: operand '" + std::string(n.op) + "' lives on device " +
                              std::string(device_name(n.device)) + "; move it with .to('cuda')");
  const int item = itemsize(n.dtype);
  auto b = device_buffer(c_.index, size_t(item));
  const CUdeviceptr p = static_cast<const DeviceMemory*>(b->device.get())->ptr;
  // From pageable memory the driver stages the bytes before returning: the host value may go.
  EMBER_CU(cuMemcpyHtoDAsync, p, n.data.byte_ptr(item), size_t(item), c_.stream);
  keep_.push_back(std::move(b));
  return p;
}

}  // namespace ember::cuda
