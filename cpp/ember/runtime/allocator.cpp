#include "ember/runtime/allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <unordered_set>
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
  std::unordered_set<const void*> live;  // blocks handed out and not yet returned
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: buffers may be freed during interpreter exit
  return *c;
}

}  // namespace

void* cached_alloc(size_t nbytes, size_t* capacity) {
  size_t cls = size_class(nbytes ? nbytes : 1);
  *capacity = cls;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.free.find(cls);
    if (it != c.free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= cls;
      c.live.insert(p);
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
  std::lock_guard<std::mutex> lock(cache().mu);
  cache().live.insert(p);
  return p;
}

void cached_free(void* p, size_t capacity) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.live.erase(p);
    if (c.bytes + capacity <= kLimit) {
      c.free[capacity].push_back(p);
      c.bytes += capacity;
      return;
    }
  }
  std::free(p);
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

bool owns(const void* p) {
  std::lock_guard<std::mutex> lock(cache().mu);
  return cache().live.count(p) > 0;
}

size_t cached_bytes() {
  std::lock_guard<std::mutex> lock(cache().mu);
  return cache().bytes;
}

}  // namespace ember::runtime
