// The worker threads: one oneTBB task arena whose size EMBER_NUM_THREADS or set_num_threads picks.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace ember::runtime {

// Threads kernels may use (EMBER_NUM_THREADS at start, else the machine's hardware threads).
int num_threads();
// Sets the thread count; n <= 0 restores the default.
void set_num_threads(int n);
// Calls body(begin, end) over disjoint chunks covering [0, n), on the arena's threads. Chunks hold
// at least `grain` items; with one thread or a single chunk it runs on the calling thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

// Runs the tasks of a dependency graph on the arena's threads, the calling thread joining in:
// task(i) starts once the `waits[i]` tasks listing i in their `successors` have finished, so
// independent tasks overlap. A task's own parallel_for calls split over the threads too, and a
// thread waiting inside one only takes that call's chunks (never a whole other task). A task that
// returns false (or throws) did not finish: the tasks after it never start. Returns when no task
// runs and none can start.
void run_task_graph(const std::vector<std::vector<int>>& successors, const std::vector<int>& waits,
                    const std::function<bool(int)>& task);

}  // namespace ember::runtime
