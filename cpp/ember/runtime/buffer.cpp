#include "ember/runtime/buffer.h"

#include "ember/runtime/allocator.h"

namespace ember {

Buffer::~Buffer() {
  if (capacity) runtime::cached_free(ptr, capacity);
}

std::shared_ptr<Buffer> allocate_buffer(size_t nbytes) {
  auto buf = std::make_shared<Buffer>();  // (one allocation for the Buffer and its count)
  size_t capacity = 0;
  buf->ptr = static_cast<std::byte*>(runtime::cached_alloc(nbytes, &capacity));
  buf->capacity = capacity;  // (set once the block is ours: a failed allocation frees nothing)
  buf->nbytes = nbytes;
  return buf;
}

std::shared_ptr<Buffer> wrap_buffer(void* data, size_t nbytes, std::shared_ptr<void> keepalive, bool readonly) {
  auto buf = std::make_shared<Buffer>();
  buf->ptr = static_cast<std::byte*>(data);
  buf->owner = std::move(keepalive);
  buf->nbytes = nbytes;
  buf->readonly = readonly;
  return buf;
}

}  // namespace ember
