#include "ember/runtime/thread_pool.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

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

}  // namespace ember::runtime
