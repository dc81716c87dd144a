#include "ember/runtime/thread_pool.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ember/runtime/trace.h"

namespace ember::runtime {
namespace {

int default_threads() {
  if (const char* env = std::getenv("EMBER_NUM_THREADS")) {
    try {
      int n = std::stoi(env);
      if (n > 0) return n;
    } catch (...) {  // an unreadable value means the default, as OMP_NUM_THREADS does
    }
  }
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  return hw > 0 ? hw : 1;
}

struct Pool {
  std::mutex mu;
  int threads = default_threads();
  std::shared_ptr<tbb::task_arena> arena;

  std::shared_ptr<tbb::task_arena> get() {
    std::lock_guard<std::mutex> lock(mu);
    if (!arena) arena = std::make_shared<tbb::task_arena>(threads);
    return arena;
  }
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int num_threads() {
  std::lock_guard<std::mutex> lock(pool().mu);
  return pool().threads;
}

void set_num_threads(int n) {
  std::lock_guard<std::mutex> lock(pool().mu);
  int want = n > 0 ? n : default_threads();
  if (want == pool().threads) return;
  pool().threads = want;
  pool().arena.reset();  // running work keeps its arena alive through its own reference
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  grain = grain < 1 ? 1 : grain;
  if (n <= grain || num_threads() == 1) {
    body(0, n);
    return;
  }
  auto arena = pool().get();
  const KernelLabel* traced = tracing() ? current_kernel() : nullptr;  // chunks go on the trace
  arena->execute([&] {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, static_cast<size_t>(grain)),
                      [&](const tbb::blocked_range<int64_t>& r) {
                        if (!traced) return body(r.begin(), r.end());
                        int64_t t0 = now_ns();
                        body(r.begin(), r.end());
                        name_thread("worker");
                        trace_event(traced->name, "chunk", t0, now_ns(), traced->pid,
                                    {{"begin", std::to_string(r.begin())}, {"end", std::to_string(r.end())}});
                      });
  });
}

void run_task_graph(const std::vector<std::vector<int>>& successors, const std::vector<int>& waits,
                    const std::function<bool(int)>& task) {
  const size_t n = successors.size();
  std::unique_ptr<std::atomic<int>[]> missing(new std::atomic<int>[n]);
  for (size_t i = 0; i < n; ++i) missing[i].store(waits[i], std::memory_order_relaxed);
  tbb::task_group group;
  // Runs task i, then what it made ready: one successor on this thread (a chain stays on one
  // thread, warm in its cache), the others as new tasks for idle threads to take.
  std::function<void(int)> go = [&](int i) {
    while (i >= 0) {
      bool ok = false;
      try {
        // Isolated: while the task waits for its own chunks, this thread takes no other task.
        ok = tbb::this_task_arena::isolate([&] { return task(i); });
      } catch (...) {
      }
      if (!ok) return;
      int next = -1;
      for (int s : successors[static_cast<size_t>(i)]) {
        if (missing[s].fetch_sub(1, std::memory_order_acq_rel) != 1) continue;  // acquire: s sees i's writes
        if (next >= 0) group.run([&go, next] { go(next); });
        next = s;
      }
      i = next;
    }
  };
  auto arena = pool().get();
  arena->execute([&] {
    for (size_t i = 0; i < n; ++i)
      if (waits[i] == 0) group.run([&go, i] { go(static_cast<int>(i)); });
    group.wait();
  });
}

}  // namespace ember::runtime
