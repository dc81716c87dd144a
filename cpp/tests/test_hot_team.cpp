// runtime::hot_for (runtime/hot_team.h): every index run once in even parts, exceptions reach the
// caller, and nested, concurrent and oneTBB-worker calls run serially instead of waiting on the team.
#include <gtest/gtest.h>

#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ember/runtime/hot_team.h"
#include "ember/runtime/thread_pool.h"

using namespace ember;

namespace {

// Sets the thread count for one test and restores the default after it.
struct Threads {
  explicit Threads(int n) { runtime::set_num_threads(n); }
  ~Threads() { runtime::set_num_threads(0); }
};

struct Part {
  int64_t begin, end;
  std::thread::id thread;
};

// Runs hot_for over [0, n); returns its parts (sorted) after checking each index ran exactly once.
std::vector<Part> run_and_check(int64_t n) {
  std::unique_ptr<std::atomic<int>[]> hits(new std::atomic<int>[static_cast<size_t>(std::max<int64_t>(n, 1))]());
  std::mutex mu;
  std::vector<Part> parts;
  runtime::hot_for(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mu);
    parts.push_back({b, e, std::this_thread::get_id()});
  });
  for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.begin < b.begin; });
  return parts;
}

}  // namespace

TEST(HotTeam, CoversEveryIndexOnceInEvenParts) {
  for (int threads : {1, 2, 3, 4}) {
    Threads t(threads);
    for (int64_t n : {0, 1, 2, 3, 4, 5, 7, 8, 16, 97, 1000, 4097, 100003}) {
      std::vector<Part> parts = run_and_check(n);
      const int64_t want = std::min<int64_t>(threads, n);
      ASSERT_EQ(static_cast<int64_t>(parts.size()), want) << threads << " threads, n=" << n;
      for (int64_t i = 0; i < want; ++i) {  // part i is [n*i/parts, n*(i+1)/parts)
        EXPECT_EQ(parts[i].begin, n * i / want);
        EXPECT_EQ(parts[i].end, n * (i + 1) / want);
      }
    }
  }
}

TEST(HotTeam, ManyQuickCallsInARow) {
  // The pattern of a replayed program: calls a few microseconds apart, helpers spinning between them.
  Threads t(2);
  std::atomic<int64_t> sum{0};
  for (int call = 0; call < 20000; ++call) {
    const int64_t n = 1 + call % 37;
    runtime::hot_for(n, [&](int64_t b, int64_t e) {
      int64_t s = 0;
      for (int64_t i = b; i < e; ++i) s += i + 1;
      sum.fetch_add(s, std::memory_order_relaxed);
    });
    ASSERT_EQ(sum.exchange(0), n * (n + 1) / 2) << "call " << call;
  }
}

TEST(HotTeam, OneThreadRunsOnTheCaller) {
  Threads t(1);
  for (const Part& p : run_and_check(1000)) EXPECT_EQ(p.thread, std::this_thread::get_id());
}

TEST(HotTeam, TwoThreadsUseAHelper) {
  Threads t(2);
  // Part 0 waits (up to 20 ms) for part 1 to be done, which only another thread can do meanwhile.
  // Each try starts after the helper went to sleep (past its spin bound): the call must wake it.
  // A few tries: the helper may be descheduled on a busy machine.
  bool helped = false;
  for (int attempt = 0; attempt < 50 && !helped; ++attempt) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(3 * runtime::kHotSpinNs));
    std::atomic<bool> second_done{false};
    std::thread::id ran[2];
    runtime::hot_for(2, [&](int64_t b, int64_t) {
      ran[b] = std::this_thread::get_id();
      if (b == 1) {
        second_done = true;
        return;
      }
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      while (!second_done && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    });
    helped = ran[0] != ran[1];
  }
  EXPECT_TRUE(helped) << "no part ran on a helper thread in 50 tries";
}

TEST(HotTeam, ExceptionReachesTheCallerAfterTheOtherParts) {
  Threads t(2);
  for (int64_t bad : {0, 1}) {  // the caller's part or the helper's (whichever claims it)
    std::atomic<int64_t> ran{0};
    EXPECT_THROW(runtime::hot_for(1000,
                                  [&](int64_t b, int64_t e) {
                                    if (b <= bad * 500 && bad * 500 < e) throw std::runtime_error("part failed");
                                    ran += e - b;
                                  }),
                 std::runtime_error);
    EXPECT_EQ(ran.load(), 500);  // the other part finished
  }
  // Every part throws: one exception comes back, and the team still works after it.
  EXPECT_THROW(runtime::hot_for(10, [](int64_t, int64_t) { throw std::out_of_range("each"); }), std::out_of_range);
  EXPECT_EQ(run_and_check(10).size(), 2u);
}

TEST(HotTeam, NestedCallsRunSeriallyInThePart) {
  Threads t(2);
  std::atomic<int> inner_parts{0};
  std::atomic<int64_t> covered{0};
  runtime::hot_for(4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const auto me = std::this_thread::get_id();
      runtime::hot_for(100, [&](int64_t ib, int64_t ie) {
        EXPECT_EQ(std::this_thread::get_id(), me);
        ++inner_parts;
        covered += ie - ib;
      });
    }
  });
  EXPECT_EQ(inner_parts.load(), 4);  // one serial part per inner call
  EXPECT_EQ(covered.load(), 400);
}

TEST(HotTeam, ConcurrentCallersBothFinish) {
  Threads t(2);
  std::atomic<int64_t> total{0};
  auto caller = [&] {
    for (int call = 0; call < 2000; ++call)
      runtime::hot_for(64, [&](int64_t b, int64_t e) { total.fetch_add(e - b, std::memory_order_relaxed); });
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 2000 * 64);
}

TEST(HotTeam, OneTbbWorkersRunSerially) {
  Threads t(2);
  std::atomic<int> worker_calls{0};
  std::atomic<bool> split_on_worker{false};
  runtime::parallel_for(64, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const bool worker = tbb::this_task_arena::current_thread_index() > 0;
      std::atomic<int> calls{0};
      runtime::hot_for(8, [&](int64_t, int64_t) { ++calls; });
      if (worker) {
        ++worker_calls;
        if (calls != 1) split_on_worker = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the worker take chunks
  });
  EXPECT_FALSE(split_on_worker);
}

TEST(HotTeam, ProcessExitsRightAfterTheFirstCall) {
  // A fresh process (threadsafe style re-runs the binary): its helper may not have started running
  // when exit() stops the team; exit must still join it and return.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (int wait_us : {0, 500}) {  // the helper spinning, then asleep
    EXPECT_EXIT(
        {
          runtime::set_num_threads(2);
          runtime::hot_for(2, [](int64_t, int64_t) {});
          std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
          std::exit(3);
        },
        ::testing::ExitedWithCode(3), "");
  }
}
