#include "ember/backend/cuda/memory_pool.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "ember/backend/cuda/status.h"

namespace ember::cuda {

size_t size_class(size_t bytes) {
  constexpr size_t kMin = 512;
  if (bytes <= kMin) return kMin;
  // 2^k < bytes <= 2^(k+1): round up to a multiple of 2^(k-2), four classes per octave.
  const int k = int(std::bit_width(bytes - 1)) - 1;
  const size_t step = size_t(1) << (k - 2);
  return (bytes + step - 1) / step * step;
}

MemoryPool::MemoryPool(PoolBackend backend) : b_(std::move(backend)) {}

MemoryPool::~MemoryPool() {
  std::lock_guard lock(mu_);
  release_cache_locked();
}

void MemoryPool::note_peaks() {
  s_.reserved_bytes = s_.allocated_bytes + s_.cached_bytes;
  s_.peak_allocated_bytes = std::max(s_.peak_allocated_bytes, s_.allocated_bytes);
  s_.peak_reserved_bytes = std::max(s_.peak_reserved_bytes, s_.reserved_bytes);
}

void* MemoryPool::take_cached(size_t cls, size_t bytes, StreamId stream) {
  auto it = cache_.find(cls);
  if (it == cache_.end() || it->second.empty()) return nullptr;
  auto& blocks = it->second;
  // Rule 1 first: a block of this stream with nothing else pending needs no wait at all.
  auto pick = std::find_if(blocks.rbegin(), blocks.rend(),
                           [&](const Block& b) { return b.stream == stream && b.pending.empty(); });
  if (pick == blocks.rend()) pick = blocks.rbegin();  // most recently freed: likely done soonest
  Block blk = std::move(*pick);
  blocks.erase(std::next(pick).base());
  if (blk.stream != stream) {  // rule 2
    EventId e = b_.record(blk.stream);
    b_.wait(stream, e);
    b_.release(e);
  }
  for (EventId e : blk.pending) {  // rule 3
    b_.wait(stream, e);
    b_.release(e);
  }
  blk.pending.clear();
  blk.stream = stream;
  blk.requested = bytes;
  void* p = blk.ptr;
  s_.cached_bytes -= int64_t(blk.size);
  s_.allocated_bytes += int64_t(blk.size);
  s_.requested_bytes += int64_t(bytes);
  ++s_.cache_hits;
  used_.emplace(p, std::move(blk));
  note_peaks();
  return p;
}

void* MemoryPool::allocate(size_t bytes, StreamId stream) {
  if (bytes == 0) return nullptr;
  std::lock_guard lock(mu_);
  ++s_.num_allocs;
  const size_t cls = size_class(bytes);
  if (void* p = take_cached(cls, bytes, stream)) return p;
  void* p = b_.alloc(cls);
  if (!p && s_.cached_bytes > 0) {  // rule 4
    ++s_.oom_retries;
    release_cache_locked();
    p = b_.alloc(cls);
  }
  if (!p) {
    --s_.num_allocs;
    throw CudaMemoryError("cuda: out of device memory allocating " + std::to_string(bytes) + " bytes (" +
                          std::to_string(s_.allocated_bytes) + " bytes in use by arrays; the pool's cache was "
                          "released and the request retried)");
  }
  ++s_.device_allocs;
  Block blk;
  blk.ptr = p, blk.size = cls, blk.requested = bytes, blk.stream = stream;
  s_.allocated_bytes += int64_t(cls);
  s_.requested_bytes += int64_t(bytes);
  used_.emplace(p, std::move(blk));
  note_peaks();
  return p;
}

void MemoryPool::deallocate(void* p) {
  if (!p) return;
  std::lock_guard lock(mu_);
  auto it = used_.find(p);
  if (it == used_.end()) throw std::invalid_argument("cuda memory pool: freeing a pointer it did not allocate");
  Block blk = std::move(it->second);
  used_.erase(it);
  for (StreamId u : blk.uses) blk.pending.push_back(b_.record(u));
  blk.uses.clear();
  s_.allocated_bytes -= int64_t(blk.size);
  s_.requested_bytes -= int64_t(blk.requested);
  s_.cached_bytes += int64_t(blk.size);
  ++s_.num_frees;
  cache_[blk.size].push_back(std::move(blk));
  note_peaks();
}

void MemoryPool::record_stream(void* p, StreamId stream) {
  std::lock_guard lock(mu_);
  auto it = used_.find(p);
  if (it == used_.end()) throw std::invalid_argument("cuda memory pool: record_stream of a pointer it did not allocate");
  Block& b = it->second;
  if (stream != b.stream && std::find(b.uses.begin(), b.uses.end(), stream) == b.uses.end()) b.uses.push_back(stream);
}

void MemoryPool::release_cache_locked() {
  if (s_.cached_bytes == 0) return;
  b_.synchronize();  // rule 5: nothing still queued may touch memory handed back
  for (auto& [cls, blocks] : cache_) {
    for (Block& blk : blocks) {
      for (EventId e : blk.pending) b_.release(e);
      b_.free(blk.ptr);
      ++s_.device_frees;
    }
    blocks.clear();
  }
  s_.cached_bytes = 0;
  note_peaks();
}

void MemoryPool::empty_cache() {
  std::lock_guard lock(mu_);
  release_cache_locked();
}

PoolStats MemoryPool::stats() const {
  std::lock_guard lock(mu_);
  return s_;
}

void MemoryPool::reset_peaks() {
  std::lock_guard lock(mu_);
  s_.peak_allocated_bytes = s_.allocated_bytes;
  s_.peak_reserved_bytes = s_.reserved_bytes;
}

}  // namespace ember::cuda
