// Raw memory that evaluated nodes point into. Shared by views; freed when the last user goes.
#pragma once
#include <cstddef>
#include <memory>

namespace ember {

struct Buffer {
  std::shared_ptr<std::byte> bytes;  // the deleter knows how to free (ours, or a NumPy owner's reference)
  size_t nbytes = 0;
  bool readonly = false;
  std::shared_ptr<void> device;  // memory on a device (pim: its machine tensor); bytes is null then  // memory we may read but never write in place (e.g. a read-only NumPy array)
  std::byte* data() const { return bytes.get(); }
};

// A fresh buffer of `nbytes` bytes, 64-byte aligned (contents undefined).
std::shared_ptr<Buffer> allocate_buffer(size_t nbytes);
// A buffer over memory someone else owns; `keepalive` is held until the buffer dies.
std::shared_ptr<Buffer> wrap_buffer(void* data, size_t nbytes, std::shared_ptr<void> keepalive, bool readonly = false);

}  // namespace ember
