// The worker threads: one oneTBB task arena whose size EMBER_NUM_THREADS or set_num_threads picks.
#pragma once
#include <cstdint>
#include <functional>

namespace ember::runtime {

// Threads kernels may use (EMBER_NUM_THREADS at start, else the machine's hardware threads).
int num_threads();
// Sets the thread count; n <= 0 restores the default.
void set_num_threads(int n);
// Calls body(begin, end) over disjoint chunks covering [0, n), on the arena's threads. Chunks hold
// at least `grain` items; with one thread or a single chunk it runs on the calling thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace ember::runtime
