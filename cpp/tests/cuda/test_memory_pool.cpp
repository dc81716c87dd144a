// The caching allocator's logic over a host-memory fake: reuse, size classes, statistics,
// empty_cache, out-of-memory retry and the stream-ordering rules of memory_pool.h.
#include "ember/backend/cuda/memory_pool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ember/backend/cuda/status.h"

namespace ember::cuda {
namespace {

// A fake device: malloc'd memory with a capacity, and a log of the ordering calls.
struct Fake {
  size_t capacity = size_t(1) << 30, used = 0;
  std::vector<std::pair<void*, size_t>> live;
  int allocs = 0, frees = 0, syncs = 0;
  EventId next_event = 1;
  std::vector<std::pair<StreamId, EventId>> recorded, waited;
  std::vector<EventId> released;

  PoolBackend backend() {
    PoolBackend b;
    b.alloc = [this](size_t n) -> void* {
      if (used + n > capacity) return nullptr;
      used += n, ++allocs;
      void* p = std::malloc(n);
      live.emplace_back(p, n);
      return p;
    };
    b.free = [this](void* p) {
      for (auto it = live.begin(); it != live.end(); ++it)
        if (it->first == p) {
          used -= it->second;
          live.erase(it);
          break;
        }
      ++frees;
      std::free(p);
    };
    b.record = [this](StreamId s) {
      recorded.emplace_back(s, next_event);
      return next_event++;
    };
    b.wait = [this](StreamId s, EventId e) { waited.emplace_back(s, e); };
    b.release = [this](EventId e) { released.push_back(e); };
    b.synchronize = [this] { ++syncs; };
    return b;
  }
};

constexpr StreamId S1 = 0x10, S2 = 0x20, S3 = 0x30;

TEST(SizeClass, QuarterOctavesFrom512Bytes) {
  EXPECT_EQ(size_class(1), 512u);
  EXPECT_EQ(size_class(512), 512u);
  EXPECT_EQ(size_class(513), 640u);
  EXPECT_EQ(size_class(1000), 1024u);
  EXPECT_EQ(size_class(1025), 1280u);
  EXPECT_EQ(size_class(3 << 20), size_t(3) << 20);
  for (size_t n : {size_t(1), size_t(700), size_t(4097), size_t(123456789), size_t(1) << 33}) {
    const size_t c = size_class(n);
    EXPECT_GE(c, n);
    EXPECT_LE(double(c), std::max(512.0, 1.25 * double(n)) + 1) << n;  // at most 25% slack
    EXPECT_EQ(size_class(c), c) << "a class is its own class";
  }
}

TEST(MemoryPool, ReusesAFreedBlockOfTheSameClassOnTheSameStreamWithoutWaiting) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(1000, S1);
  ASSERT_NE(a, nullptr);
  pool.deallocate(a);
  void* b = pool.allocate(900, S1);  // also class 1024
  EXPECT_EQ(a, b);
  EXPECT_EQ(f.allocs, 1);
  EXPECT_TRUE(f.recorded.empty());
  EXPECT_TRUE(f.waited.empty());
  auto s = pool.stats();
  EXPECT_EQ(s.num_allocs, 2);
  EXPECT_EQ(s.cache_hits, 1);
  EXPECT_EQ(s.device_allocs, 1);
  EXPECT_EQ(s.allocated_bytes, 1024);
  EXPECT_EQ(s.requested_bytes, 900);
  pool.deallocate(b);
}

TEST(MemoryPool, DifferentClassesDoNotShareBlocks) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(1000, S1);
  pool.deallocate(a);
  void* b = pool.allocate(2000, S1);
  EXPECT_NE(a, b);
  EXPECT_EQ(f.allocs, 2);
  EXPECT_EQ(pool.stats().cache_hits, 0);
  EXPECT_EQ(pool.stats().cached_bytes, 1024);
  pool.deallocate(b);
}

TEST(MemoryPool, ZeroBytesIsNoBlockAndFreeingNullIsANoOp) {
  Fake f;
  MemoryPool pool(f.backend());
  EXPECT_EQ(pool.allocate(0, S1), nullptr);
  pool.deallocate(nullptr);
  EXPECT_EQ(pool.stats().num_allocs, 0);
  EXPECT_EQ(f.allocs, 0);
}

TEST(MemoryPool, RejectsAPointerItDidNotAllocate) {
  Fake f;
  MemoryPool pool(f.backend());
  int x = 0;
  EXPECT_THROW(pool.deallocate(&x), std::invalid_argument);
  EXPECT_THROW(pool.record_stream(&x, S2), std::invalid_argument);
}

TEST(MemoryPool, StatisticsTrackInUseCachedAndPeaks) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(4096, S1);
  void* b = pool.allocate(8192, S1);
  auto s = pool.stats();
  EXPECT_EQ(s.allocated_bytes, 4096 + 8192);
  EXPECT_EQ(s.reserved_bytes, 4096 + 8192);
  pool.deallocate(a);
  s = pool.stats();
  EXPECT_EQ(s.allocated_bytes, 8192);
  EXPECT_EQ(s.cached_bytes, 4096);
  EXPECT_EQ(s.reserved_bytes, 4096 + 8192);
  EXPECT_EQ(s.peak_allocated_bytes, 4096 + 8192);
  EXPECT_EQ(s.num_frees, 1);
  pool.reset_peaks();
  EXPECT_EQ(pool.stats().peak_allocated_bytes, 8192);
  pool.deallocate(b);
  s = pool.stats();
  EXPECT_EQ(s.allocated_bytes, 0);
  EXPECT_EQ(s.requested_bytes, 0);
  EXPECT_EQ(s.cached_bytes, 4096 + 8192);
  EXPECT_EQ(s.peak_reserved_bytes, 4096 + 8192);
}

TEST(MemoryPool, EmptyCacheSynchronizesAndReturnsOnlyCachedBlocks) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(4096, S1);
  void* b = pool.allocate(4096, S1);
  pool.deallocate(a);
  pool.empty_cache();
  EXPECT_EQ(f.syncs, 1);
  EXPECT_EQ(f.frees, 1);
  EXPECT_EQ(f.live.size(), 1u);
  EXPECT_EQ(f.live[0].first, b);
  auto s = pool.stats();
  EXPECT_EQ(s.cached_bytes, 0);
  EXPECT_EQ(s.allocated_bytes, 4096);
  EXPECT_EQ(s.device_frees, 1);
  pool.empty_cache();  // nothing cached: no synchronize
  EXPECT_EQ(f.syncs, 1);
  pool.deallocate(b);
}

TEST(MemoryPool, DestructorReturnsTheCache) {
  Fake f;
  {
    MemoryPool pool(f.backend());
    pool.deallocate(pool.allocate(100, S1));
    pool.deallocate(pool.allocate(100000, S1));
  }
  EXPECT_TRUE(f.live.empty());
  EXPECT_EQ(f.used, 0u);
}

TEST(MemoryPool, AnotherStreamWaitsForTheOwnersWorkBeforeReuse) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(4096, S1);
  pool.deallocate(a);
  EXPECT_TRUE(f.recorded.empty());  // freeing on the owner stream records nothing
  void* b = pool.allocate(4096, S2);
  EXPECT_EQ(a, b);
  ASSERT_EQ(f.recorded.size(), 1u);
  EXPECT_EQ(f.recorded[0].first, S1);  // the owner's work so far...
  ASSERT_EQ(f.waited.size(), 1u);
  EXPECT_EQ(f.waited[0], std::make_pair(S2, f.recorded[0].second));  // ...is waited for by S2
  EXPECT_EQ(f.released, std::vector<EventId>{f.recorded[0].second});
  pool.deallocate(b);
  void* c = pool.allocate(4096, S2);  // S2 owns it now: no further wait
  EXPECT_EQ(c, a);
  EXPECT_EQ(f.waited.size(), 1u);
  pool.deallocate(c);
}

TEST(MemoryPool, PrefersABlockOfTheRequestingStream) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a1 = pool.allocate(4096, S1);
  void* a2 = pool.allocate(4096, S2);
  pool.deallocate(a1);
  pool.deallocate(a2);  // the most recent free is S2's
  void* b = pool.allocate(4096, S1);
  EXPECT_EQ(b, a1);
  EXPECT_TRUE(f.waited.empty());
  pool.deallocate(b);
}

TEST(MemoryPool, RecordStreamMakesReuseWaitForEveryStreamThatUsedTheBlock) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(4096, S1);
  pool.record_stream(a, S2);
  pool.record_stream(a, S2);  // once per stream
  pool.record_stream(a, S1);  // the owner is not an extra use
  pool.deallocate(a);
  ASSERT_EQ(f.recorded.size(), 1u);  // recorded at free time on S2 only
  EXPECT_EQ(f.recorded[0].first, S2);
  const EventId e2 = f.recorded[0].second;
  void* b = pool.allocate(4096, S1);  // same owner stream, but S2's use must be waited for
  EXPECT_EQ(b, a);
  ASSERT_EQ(f.waited.size(), 1u);
  EXPECT_EQ(f.waited[0], std::make_pair(S1, e2));
  pool.deallocate(b);
  f.waited.clear();
  void* c = pool.allocate(4096, S3);  // S3 waits for S1 (owner) and nothing else pending
  EXPECT_EQ(c, a);
  ASSERT_EQ(f.waited.size(), 1u);
  EXPECT_EQ(f.waited[0].first, S3);
  pool.deallocate(c);
}

TEST(MemoryPool, PendingEventsAreReleasedWhenTheCacheIsEmptied) {
  Fake f;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(4096, S1);
  pool.record_stream(a, S2);
  pool.deallocate(a);
  pool.empty_cache();
  EXPECT_EQ(f.released, std::vector<EventId>{f.recorded.at(0).second});
}

TEST(MemoryPool, OutOfMemoryReleasesTheCacheAndRetriesOnce) {
  Fake f;
  f.capacity = 10000;
  MemoryPool pool(f.backend());
  void* a = pool.allocate(6000, S1);  // class 6144
  pool.deallocate(a);                  // cached: 6144 of 10000 held
  void* b = pool.allocate(8000, S1);  // class 8192 does not fit beside the cache
  ASSERT_NE(b, nullptr);
  auto s = pool.stats();
  EXPECT_EQ(s.oom_retries, 1);
  EXPECT_EQ(s.cached_bytes, 0);
  EXPECT_EQ(f.syncs, 1);
  // Still too big with nothing cached: a CudaMemoryError saying what was asked.
  try {
    pool.allocate(5000, S1);
    FAIL() << "expected CudaMemoryError";
  } catch (const CudaMemoryError& e) {
    EXPECT_NE(std::string(e.what()).find("5000 bytes"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pool.stats().num_allocs, 2);  // the failed request is not counted
  pool.deallocate(b);
}

TEST(MemoryPool, ManyBlocksRoundTripWithoutLeaks) {
  Fake f;
  MemoryPool pool(f.backend());
  std::vector<void*> ps;
  for (int round = 0; round < 3; ++round) {
    for (size_t n = 1; n < 200000; n = n * 3 + 7) ps.push_back(pool.allocate(n, round % 2 ? S1 : S2));
    for (void* p : ps) pool.deallocate(p);
    ps.clear();
  }
  auto s = pool.stats();
  EXPECT_EQ(s.allocated_bytes, 0);
  EXPECT_GT(s.cache_hits, 0);
  EXPECT_EQ(s.device_allocs + s.cache_hits, s.num_allocs);
  pool.empty_cache();
  EXPECT_TRUE(f.live.empty());
}

}  // namespace
}  // namespace ember::cuda
