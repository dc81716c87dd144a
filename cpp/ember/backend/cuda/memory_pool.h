// A stream-ordered caching allocator, written over an allocator interface so its logic is tested
// with host memory (cpp/tests/cuda) and used with cuMemAlloc on a GPU (memory.cpp).
//
// Blocks are cached by size class (quarter-octave classes from 512 bytes: at most 25% slack) and
// reused only for the same class. Stream ordering rules:
//  1. A block freed on the stream it was allocated on is reused by that stream at once: the stream
//     runs in order, so the next user's work starts after the last user's.
//  2. Another stream may take it after making its own work wait for the owner stream's work at that
//     moment (an event: a device-side wait, no host sync); the block then belongs to the new stream.
//  3. A block also used on other streams (record_stream) gets an event on each of them when freed;
//     whoever reuses it waits for all those events.
//  4. When the device is out of memory the cache is released (after a synchronize) and the request
//     retried once; if it still fails, CudaMemoryError says how much was asked and held.
//  5. empty_cache() synchronizes and returns every cached block; blocks in use are untouched.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ember::cuda {

using StreamId = uintptr_t;  // a CUstream (or a fake one in tests)
using EventId = uintptr_t;   // a recorded CUevent

struct PoolBackend {
  std::function<void*(size_t)> alloc;             // nullptr when out of memory
  std::function<void(void*)> free;
  std::function<EventId(StreamId)> record;        // marks the current end of a stream's work
  std::function<void(StreamId, EventId)> wait;    // later work on the stream waits for the mark
  std::function<void(EventId)> release;           // the mark is no longer needed
  std::function<void()> synchronize;              // waits for every stream (before memory goes back)
};

struct PoolStats {
  int64_t allocated_bytes = 0;       // held by live arrays (size classes, not requests)
  int64_t requested_bytes = 0;       // what the live arrays asked for
  int64_t cached_bytes = 0;          // free blocks kept for reuse
  int64_t reserved_bytes = 0;        // allocated + cached: what the device has given the pool
  int64_t peak_allocated_bytes = 0;
  int64_t peak_reserved_bytes = 0;
  int64_t num_allocs = 0;            // allocate() calls with bytes > 0
  int64_t num_frees = 0;
  int64_t cache_hits = 0;            // allocations served from the cache
  int64_t device_allocs = 0;         // calls to the backend's alloc that succeeded
  int64_t device_frees = 0;
  int64_t oom_retries = 0;           // times the cache was released to satisfy a request
};

// The size class a request of `bytes` is served from (bytes > 0).
size_t size_class(size_t bytes);

class MemoryPool {
 public:
  explicit MemoryPool(PoolBackend backend);
  ~MemoryPool();  // returns the cache; blocks still in use are the owner's to free first
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  // A block of at least `bytes` whose earlier users' work is ordered before `stream`'s next work.
  // bytes == 0 gives nullptr (no block).
  void* allocate(size_t bytes, StreamId stream);
  // Back to the cache (nullptr is ignored). Throws std::invalid_argument for a pointer the pool did not give.
  void deallocate(void* p);
  // p is also read or written by work on `stream` (rule 3).
  void record_stream(void* p, StreamId stream);
  void empty_cache();
  PoolStats stats() const;
  void reset_peaks();

 private:
  struct Block {
    void* ptr = nullptr;
    size_t size = 0, requested = 0;
    StreamId stream = 0;                 // the stream that owns it (allocated or last reused on)
    std::vector<StreamId> uses;          // other streams it was used on (in use)
    std::vector<EventId> pending;        // their events, recorded when freed (cached)
  };
  void* take_cached(size_t cls, size_t bytes, StreamId stream);
  void release_cache_locked();
  void note_peaks();

  PoolBackend b_;
  mutable std::mutex mu_;
  std::unordered_map<size_t, std::vector<Block>> cache_;  // by size class
  std::unordered_map<void*, Block> used_;
  PoolStats s_;
};

}  // namespace ember::cuda
