#include "ember/runtime/buffer.h"

#include <cstdlib>
#include <new>

#include "ember/runtime/allocator.h"

namespace ember {

std::shared_ptr<Buffer> allocate_buffer(size_t nbytes) {
  size_t capacity = 0;
  void* p = runtime::cached_alloc(nbytes, &capacity);
  auto buf = std::make_shared<Buffer>();
  buf->bytes = std::shared_ptr<std::byte>(static_cast<std::byte*>(p),
                                          [capacity](std::byte* q) { runtime::cached_free(q, capacity); });
  buf->nbytes = nbytes;
  return buf;
}

std::shared_ptr<Buffer> wrap_buffer(void* data, size_t nbytes, std::shared_ptr<void> keepalive, bool readonly) {
  auto buf = std::make_shared<Buffer>();
  buf->bytes = std::shared_ptr<std::byte>(static_cast<std::byte*>(data), [k = std::move(keepalive)](std::byte*) {});
  buf->nbytes = nbytes;
  buf->readonly = readonly;
  return buf;
}

}  // namespace ember
