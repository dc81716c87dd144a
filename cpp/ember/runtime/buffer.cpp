#include "ember/runtime/buffer.h"

#include <cstdlib>
#include <new>

namespace ember {

std::shared_ptr<Buffer> allocate_buffer(size_t nbytes) {
  size_t rounded = (nbytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) throw std::bad_alloc();
  auto buf = std::make_shared<Buffer>();
  buf->bytes = std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
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
