// Per-op counters for `with em.profile()` (DESIGN.md decision 9): calls, wall time, bytes read and
// written, flops, keyed by (op, the Python line that created it, device). The graph layer decides
// what a Kernel charges to each op (graph/observe.cpp); this file only keeps the table. Thread-safe:
// asynchronous evaluation runs kernels on the dispatcher thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::runtime {

struct OpCounters {
  int64_t calls = 0;
  int64_t time_ns = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t flops = 0;
};

struct ProfileRow {
  std::string op, origin, device;
  OpCounters counters;
};

namespace detail {
// Who watches kernels run: bit 0 the profiler, bit 1 the trace (runtime/trace.h). One word, so a
// kernel that nobody watches pays one relaxed load.
inline constexpr unsigned kProfiling = 1, kTracing = 2;
inline std::atomic<unsigned> g_watchers{0};
inline void set_watcher(unsigned bit, bool on) {
  if (on) g_watchers.fetch_or(bit, std::memory_order_relaxed);
  else g_watchers.fetch_and(~bit, std::memory_order_relaxed);
}
}  // namespace detail

// Whether anything (profile or trace) watches kernels run.
inline bool observing() { return detail::g_watchers.load(std::memory_order_relaxed) != 0; }
// Whether counters are being collected.
inline bool profiling() { return detail::g_watchers.load(std::memory_order_relaxed) & detail::kProfiling; }
void set_profiling(bool on);

// Adds `c` to the row of (op, origin, device).
void profile_add(std::string_view op, const std::string& origin, std::string_view device, const OpCounters& c);
// Every row collected since the last reset (counters only grow while profiling is on).
std::vector<ProfileRow> profile_rows();
void profile_reset();

}  // namespace ember::runtime
