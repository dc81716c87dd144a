// Pinned staging: the driver copies pageable host memory through its own small bounce buffers and
// synchronously; copying through our pinned buffers lets the DMA of one chunk overlap the host
// memcpy of the next (two buffers, an event each).
#include "ember/backend/cuda/transfer.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/device.h"
#include "ember/graph/pack.h"
#include "ember/errors.h"

namespace ember::cuda {

constexpr size_t kStagingBytes = size_t(8) << 20;

struct Staging {
  std::byte* buf[2] = {nullptr, nullptr};
  CUevent done[2] = {nullptr, nullptr};
  bool pending[2] = {false, false};

  // Created in the context that is current (the transfer's device). Leaked at exit on purpose:
  // the driver may be torn down before static destructors run.
  void ensure() {
    if (buf[0]) return;
    for (int i = 0; i < 2; ++i) {
      void* p = nullptr;
      EMBER_CU(cuMemHostAlloc, &p, kStagingBytes, 0u);
      buf[i] = static_cast<std::byte*>(p);
      EMBER_CU(cuEventCreate, &done[i], CU_EVENT_DISABLE_TIMING);
    }
  }
  // Waits until the copy last queued through buffer i has finished.
  void wait(int i) {
    if (pending[i]) EMBER_CU(cuEventSynchronize, done[i]);
    pending[i] = false;
  }
  void mark(int i, CUstream s) {
    EMBER_CU(cuEventRecord, done[i], s);
    pending[i] = true;
  }
};

std::unique_ptr<Staging, StagingDeleter> make_staging() { return std::unique_ptr<Staging, StagingDeleter>(new Staging); }
void StagingDeleter::operator()(Staging* s) const { delete s; }  // contexts live until exit: pinned memory is the driver's to drop

Span window_span(int64_t offset, const Shape& shape, const Strides& strides) {
  Span s;
  if (shape_size(shape) == 0) return s;
  int64_t lo = offset, hi = offset;
  for (size_t k = 0; k < shape.size(); ++k) {
    const int64_t reach = (shape[k] - 1) * strides[k];
    (reach < 0 ? lo : hi) += reach;
  }
  s.first = lo, s.count = hi - lo + 1;
  return s;
}

namespace {

bool contiguous(const Data& d, const Shape& shape) {
  if (shape_size(shape) <= 1) return true;
  const Strides c = contiguous_strides(shape);
  for (size_t k = 0; k < shape.size(); ++k)
    if (shape[k] != 1 && d.strides[k] != c[k]) return false;
  return true;
}

}  // namespace

Data upload(const Data& d, DType dtype, const Shape& shape, int device) {
  const int item = itemsize(dtype);
  const size_t bytes = size_t(shape_size(shape)) * item;
  Data out;
  out.buffer = device_buffer(device, bytes);
  out.strides = contiguous_strides(shape);
  if (bytes == 0) return out;
  std::vector<std::byte> packed;
  const std::byte* src = nullptr;
  if (contiguous(d, shape)) {
    src = d.buffer->data() + d.offset * item;
  } else {
    packed = pack_window(d, shape, item);
    src = packed.data();
  }
  Context& c = context(device);
  const CUdeviceptr dst = static_cast<const DeviceMemory*>(out.buffer->device.get())->ptr;
  std::lock_guard lock(c.transfer_mu);
  Staging& st = *c.staging;
  st.ensure();
  int i = 0;
  for (size_t off = 0; off < bytes; off += kStagingBytes, i ^= 1) {
    const size_t len = std::min(kStagingBytes, bytes - off);
    st.wait(i);  // the buffer's previous chunk has reached the device
    std::memcpy(st.buf[i], src + off, len);
    EMBER_CU(cuMemcpyHtoDAsync, dst + off, st.buf[i], len, c.stream);
    st.mark(i, c.stream);
  }
  // No wait here: later work on the stream is ordered after the copies, and the host source was
  // already copied into the staging buffers.
  return out;
}

Data download(const Node& n) {
  const DeviceMemory& mem = memory_of(n);
  const int item = itemsize(n.dtype);
  const Span span = window_span(n.data.offset, n.shape, n.data.strides);
  const size_t bytes = size_t(span.count) * item;
  Data out;
  out.buffer = allocate_buffer(bytes);
  out.offset = n.data.offset - span.first;
  out.strides = n.data.strides;
  if (bytes == 0) return out;
  Context& c = context(mem.device);
  const CUdeviceptr src = mem.ptr + CUdeviceptr(span.first) * item;
  std::byte* dst = out.buffer->data();
  std::lock_guard lock(c.transfer_mu);
  Staging& st = *c.staging;
  st.ensure();
  // Chunk k goes to buffer k % 2; the host copies chunk k-1 out while chunk k is in flight.
  const size_t chunks = (bytes + kStagingBytes - 1) / kStagingBytes;
  auto drain = [&](size_t k) {
    const int b = int(k % 2);
    st.wait(b);
    const size_t off = k * kStagingBytes;
    std::memcpy(dst + off, st.buf[b], std::min(kStagingBytes, bytes - off));
  };
  for (size_t k = 0; k < chunks; ++k) {
    const int b = int(k % 2);
    if (k >= 2) drain(k - 2);  // buffer b still holds chunk k-2: empty it first
    const size_t off = k * kStagingBytes;
    EMBER_CU(cuMemcpyDtoHAsync, st.buf[b], src + off, std::min(kStagingBytes, bytes - off), c.stream);
    st.mark(b, c.stream);
  }
  for (size_t k = chunks >= 2 ? chunks - 2 : 0; k < chunks; ++k) drain(k);
  return out;
}

void to_device_kernel(Node& n) {
  const Node& in = *n.inputs.at(0);
  const auto target = static_cast<DeviceType>(n.params.ints.at(0));
  if (target == DeviceType::CUDA) {
    if (in.device == DeviceType::CUDA) return void(n.data = in.data);
    if (in.device != DeviceType::CPU)
      throw NotImplementedError("cuda: no transfer from device " + std::string(device_name(in.device)));
    n.data = upload(in.data, n.dtype, n.shape, current_device());
  } else if (target == DeviceType::CPU) {
    n.data = download(in);
  } else {
    throw NotImplementedError("cuda: no transfer to device " + std::string(device_name(target)));
  }
}

}  // namespace ember::cuda
