// Raw memory that evaluated nodes point into. Shared by views; freed when the last user goes.
#pragma once
#include <cstddef>
#include <memory>

namespace ember {

struct Buffer {
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();  // ember's own memory goes back to the caching allocator

  std::byte* ptr = nullptr;
  size_t capacity = 0;           // ember's own memory (allocate_buffer): its block's size; 0: lent to us
  std::shared_ptr<void> owner;   // lent memory (wrap_buffer): what keeps it alive (a NumPy owner, ...)
  size_t nbytes = 0;
  bool readonly = false;          // memory we may read but never write in place (e.g. a read-only NumPy array)
  std::shared_ptr<void> device;   // memory on a device (pim: its machine tensor); ptr is null then

  std::byte* data() const { return ptr; }
  // Whether the memory is ember's own (free to write over once nobody reads it), not lent to us.
  bool own() const { return capacity != 0; }
};

// A fresh buffer of `nbytes` bytes, 64-byte aligned (contents undefined).
std::shared_ptr<Buffer> allocate_buffer(size_t nbytes);
// A buffer over memory someone else owns; `keepalive` is held until the buffer dies.
std::shared_ptr<Buffer> wrap_buffer(void* data, size_t nbytes, std::shared_ptr<void> keepalive, bool readonly = false);

}  // namespace ember
