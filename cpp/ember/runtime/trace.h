// Trace events for `em.trace("run.json")` (Chrome trace-event format, opened by Perfetto): complete
// events ("ph": "X") on one track per thread, grouped per device. Kernels are recorded by the graph
// layer (graph/observe.cpp), chunks of multithreaded kernels by the thread pool. When tracing is off
// a hook costs one relaxed atomic load.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ember/runtime/profiler.h"  // the watchers word

namespace ember::runtime {

struct TraceEvent {
  std::string name, cat;
  int64_t ts_ns = 0, dur_ns = 0;  // from the start of the trace
  int pid = 0;                    // the device's track group (1 + DeviceType)
  int tid = 0;                    // the thread that ran it (small numbers, in order of first event)
  std::vector<std::pair<std::string, std::string>> args;
};

inline bool tracing() { return detail::g_watchers.load(std::memory_order_relaxed) & detail::kTracing; }
// Turning tracing on clears earlier events and restarts the clock.
void set_tracing(bool on);

// A monotonic clock in nanoseconds.
int64_t now_ns();

// Records an event that ran on the calling thread from t0 to t1 (now_ns() times).
void trace_event(std::string name, std::string cat, int64_t t0, int64_t t1, int pid,
                 std::vector<std::pair<std::string, std::string>> args = {});
// Names the calling thread's track (the first name given sticks; unnamed threads are "thread N").
void name_thread(const std::string& name);
// The events so far, and the track names: {tid: name}.
std::vector<TraceEvent> trace_events();
std::vector<std::pair<int, std::string>> trace_threads();

// The kernel the calling thread is running (null if none), so thread-pool chunks can name it.
struct KernelLabel {
  std::string name;
  int pid = 1;
};
const KernelLabel* current_kernel();
void set_current_kernel(const KernelLabel* label);

}  // namespace ember::runtime
