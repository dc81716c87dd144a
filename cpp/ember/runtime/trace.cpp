#include "ember/runtime/trace.h"

#include <chrono>
#include <map>
#include <mutex>

namespace ember::runtime {
namespace {

struct Trace {
  std::mutex mu;
  int64_t start_ns = 0;
  std::vector<TraceEvent> events;
  std::map<int, std::string> threads;
};

Trace& trace() {
  static Trace* t = new Trace;  // never destroyed: worker threads may outlive static teardown
  return *t;
}

std::atomic<int> g_next_tid{1};
thread_local int t_tid = 0;
thread_local const KernelLabel* t_kernel = nullptr;
thread_local bool t_named = false;

int this_tid() {
  if (t_tid == 0) t_tid = g_next_tid.fetch_add(1, std::memory_order_relaxed);
  return t_tid;
}

}  // namespace

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void set_tracing(bool on) {
  Trace& t = trace();
  {
    std::lock_guard<std::mutex> lock(t.mu);
    if (on) {
      t.events.clear();
      t.start_ns = now_ns();
    }
  }
  detail::set_watcher(detail::kTracing, on);
}

void trace_event(std::string name, std::string cat, int64_t t0, int64_t t1, int pid,
                 std::vector<std::pair<std::string, std::string>> args) {
  int tid = this_tid();
  Trace& t = trace();
  std::lock_guard<std::mutex> lock(t.mu);
  t.threads.try_emplace(tid, "thread " + std::to_string(tid));
  t.events.push_back({std::move(name), std::move(cat), t0 - t.start_ns, t1 - t0, pid, tid, std::move(args)});
}

void name_thread(const std::string& name) {
  if (t_named) return;
  t_named = true;
  int tid = this_tid();
  Trace& t = trace();
  std::lock_guard<std::mutex> lock(t.mu);
  t.threads[tid] = name;
}

std::vector<TraceEvent> trace_events() {
  Trace& t = trace();
  std::lock_guard<std::mutex> lock(t.mu);
  return t.events;
}

std::vector<std::pair<int, std::string>> trace_threads() {
  Trace& t = trace();
  std::lock_guard<std::mutex> lock(t.mu);
  return {t.threads.begin(), t.threads.end()};
}

const KernelLabel* current_kernel() { return t_kernel; }
void set_current_kernel(const KernelLabel* label) { t_kernel = label; }

}  // namespace ember::runtime
