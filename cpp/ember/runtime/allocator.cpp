#include "ember/runtime/allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace ember::runtime {
namespace {

constexpr size_t kHuge = size_t{2} << 20;
constexpr size_t kLimit = size_t{1} << 30;  // the cache holds at most 1 GiB of free blocks

size_t size_class(size_t n) {
  if (n <= 4096) return (n + 63) / 64 * 64;
  if (n < kHuge) return (n + 4095) / 4096 * 4096;
  return (n + kHuge - 1) / kHuge * kHuge;
}

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free;
  size_t bytes = 0;
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: buffers may be freed during interpreter exit
  return *c;
}

// Each thread's free small blocks, by size class (64-byte steps up to kLocalMax), at most
// kLocalBlocks of a class: taken and given back without the shared cache's lock.
constexpr size_t kLocalMax = 4096;
constexpr size_t kLocalBlocks = 8;

void shared_free(void* p, size_t capacity);

struct LocalCache {
  std::vector<void*> free[kLocalMax / 64];
  ~LocalCache();
};

thread_local bool t_local_gone = false;  // (trivially destroyed: still readable while threads exit)

LocalCache& local_cache() {
  thread_local LocalCache c;
  return c;
}

LocalCache::~LocalCache() {
  t_local_gone = true;
  for (size_t i = 0; i < kLocalMax / 64; ++i)
    for (void* p : free[i]) shared_free(p, (i + 1) * 64);
}

void shared_free(void* p, size_t capacity) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.bytes + capacity <= kLimit) {
      c.free[capacity].push_back(p);
      c.bytes += capacity;
      return;
    }
  }
  std::free(p);
}

}  // namespace

void* cached_alloc(size_t nbytes, size_t* capacity) {
  size_t cls = size_class(nbytes ? nbytes : 1);
  *capacity = cls;
  if (cls <= kLocalMax && !t_local_gone) {
    std::vector<void*>& mine = local_cache().free[cls / 64 - 1];
    if (!mine.empty()) {
      void* p = mine.back();
      mine.pop_back();
      return p;
    }
  }
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.free.find(cls);
    if (it != c.free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= cls;
      return p;
    }
  }
  void* p = std::aligned_alloc(cls >= kHuge ? kHuge : 64, cls);
  if (!p) {
    empty_cache();
    p = std::aligned_alloc(cls >= kHuge ? kHuge : 64, cls);
    if (!p) throw std::bad_alloc();
  }
  if (cls >= kHuge) madvise(p, cls, MADV_HUGEPAGE);  // fewer page faults on first touch
  return p;
}

void cached_free(void* p, size_t capacity) {
  if (capacity <= kLocalMax && !t_local_gone) {
    std::vector<void*>& mine = local_cache().free[capacity / 64 - 1];
    if (mine.size() < kLocalBlocks) {
      mine.push_back(p);
      return;
    }
  }
  shared_free(p, capacity);
}

size_t empty_cache() {
  Cache& c = cache();
  std::unordered_map<size_t, std::vector<void*>> blocks;
  size_t released;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    blocks.swap(c.free);
    released = c.bytes;
    c.bytes = 0;
  }
  for (auto& [cls, v] : blocks)
    for (void* p : v) std::free(p);
  return released;
}

size_t cached_bytes() {
  std::lock_guard<std::mutex> lock(cache().mu);
  return cache().bytes;
}

}  // namespace ember::runtime
