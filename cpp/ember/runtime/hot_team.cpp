// The hot team (hot_team.h). One job at a time, described by one atomic word: the job's sequence
// number, its part count and the next unclaimed part. Anyone (caller or helper) claims a part by
// a compare-exchange on that word, so a part is run exactly once and a job whose helpers are asleep
// or descheduled is finished by its caller. The job's body stays valid while any part is claimed
// and unfinished: the caller returns only once `done` counts every part.
#include "ember/runtime/hot_team.h"

#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "ember/runtime/thread_pool.h"
#include "ember/runtime/trace.h"

namespace ember::runtime {
namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

int64_t clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The job word: sequence (32 bits) | parts (16) | next part to claim (16).
constexpr int kMaxParts = 0xffff;
uint32_t seq_of(uint64_t w) { return static_cast<uint32_t>(w >> 32); }
int parts_of(uint64_t w) { return static_cast<int>((w >> 16) & 0xffff); }
int next_of(uint64_t w) { return static_cast<int>(w & 0xffff); }

class Team {
 public:
  // Takes the team for one job; false when another call holds it (the caller then runs serially).
  bool try_enter() { return !stopped_.load(std::memory_order_acquire) && !busy_.exchange(true, std::memory_order_acquire); }
  void leave() { busy_.store(false, std::memory_order_release); }

  // Runs a job of `parts` parts (2 <= parts <= kMaxParts) over [0, n); the caller holds the team.
  void run(int64_t n, int parts, void* ctx, detail::PartFn fn) {
    add_helpers(parts - 1);
    n_ = n;
    ctx_ = ctx;
    fn_ = fn;
    error_ = nullptr;
    traced_ = tracing() ? current_kernel() : nullptr;
    done_.store(0, std::memory_order_relaxed);
    uint64_t w = (uint64_t{seq_of(word_.load(std::memory_order_relaxed)) + 1u} << 32) | uint64_t(parts) << 16;
    word_.store(w, std::memory_order_seq_cst);  // publishes the fields above to whoever claims a part
    if (sleepers_.load(std::memory_order_seq_cst) > 0) wake();
    work(w);
    // Wait for parts the helpers claimed; yield after a while in case one was descheduled.
    for (uint32_t spins = 0; done_.load(std::memory_order_acquire) < parts; ++spins)
      spins < 4096 ? cpu_relax() : std::this_thread::yield();
    if (error_) std::rethrow_exception(error_);
  }

  // At process exit: wakes and joins the helpers; later calls run serially.
  void stop() {
    stopped_.store(true, std::memory_order_release);
    // Waits (a bounded time) for a job in flight on another thread: it needs the helpers to finish.
    for (int i = 0; busy_.exchange(true, std::memory_order_acquire); ++i) {
      if (i == 1000) return;  // stuck: leave the helpers to the exit
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (pid_ != getpid()) return;  // a forked child: the helpers are the parent's
    stop_.store(true, std::memory_order_release);
    word_.fetch_add(uint64_t{1} << 32, std::memory_order_seq_cst);
    wake();
    for (std::thread& t : helpers_) t.join();
    helpers_.clear();
  }

 private:
  // Claims and runs parts of the job whose word is `w` until none is left (or another job started).
  void work(uint64_t w) {
    const uint32_t seq = seq_of(w);
    while (next_of(w) < parts_of(w)) {
      if (!word_.compare_exchange_weak(w, w + 1, std::memory_order_acquire, std::memory_order_acquire)) {
        if (seq_of(w) != seq) return;
        continue;
      }
      run_part(next_of(w), parts_of(w));
      done_.fetch_add(1, std::memory_order_release);
      ++w;
    }
  }

  void run_part(int part, int parts) {
    const int64_t b = n_ * part / parts, e = n_ * (part + 1) / parts;
    const int64_t t0 = traced_ ? now_ns() : 0;
    try {
      fn_(ctx_, b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (!error_) error_ = std::current_exception();
    }
    if (traced_) {
      name_thread("hot team");
      trace_event(traced_->name, "chunk", t0, now_ns(), traced_->pid,
                  {{"begin", std::to_string(b)}, {"end", std::to_string(e)}});
    }
  }

  // Helper j takes parts of jobs with more than j + 1 parts (fewer threads than helpers: it idles).
  void helper(int j) {
    uint64_t seen = word_.load(std::memory_order_acquire);
    int64_t idle_since = clock_ns();
    for (uint32_t spins = 0;; ++spins) {
      const uint64_t w = word_.load(std::memory_order_acquire);
      if (seq_of(w) == seq_of(seen)) {
        if ((spins & 63) != 0) {
          cpu_relax();
          continue;
        }
        // (A helper that started after stop() has the stopped word as `seen`: it checks here too.)
        if (stop_.load(std::memory_order_acquire)) return;
        if (clock_ns() - idle_since < kHotSpinNs) {
          cpu_relax();
          continue;
        }
        sleep(w);
        idle_since = clock_ns();
        continue;
      }
      seen = w;
      if (stop_.load(std::memory_order_acquire)) return;
      if (j + 1 >= parts_of(w)) continue;
      work(w);
      idle_since = clock_ns();
    }
  }

  // Sleeps until the word is not w or the team stops. The seq_cst increment then load here, against
  // the caller's seq_cst store of the word then load of `sleepers_`: either this helper sees the new
  // word, or the caller sees it counted and wakes it, after taking the mutex held here until waiting.
  void sleep(uint64_t w) {
    std::unique_lock<std::mutex> lock(sleep_mu_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    sleep_cv_.wait(lock, [&] { return word_.load(std::memory_order_seq_cst) != w || stop_.load(); });
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
  }

  void wake() {
    { std::lock_guard<std::mutex> lock(sleep_mu_); }
    sleep_cv_.notify_all();
  }

  void add_helpers(int want) {
    if (pid_ != getpid()) {  // forked: the parent's helpers do not exist here
      (void)new std::vector<std::thread>(std::move(helpers_));  // (never joined nor destroyed)
      helpers_.clear();
      sleepers_.store(0);
      pid_ = getpid();
    }
    try {
      while (static_cast<int>(helpers_.size()) < want) {
        const int j = static_cast<int>(helpers_.size());
        helpers_.emplace_back([this, j] { helper(j); });
      }
    } catch (const std::system_error&) {  // no more threads: the caller claims what none takes
    }
  }

  // Three cache lines: the word the helpers spin on, the count the caller spins on, and what is
  // written once per job (so writing the job does not pull the line from under a spinning helper).
  alignas(64) std::atomic<uint64_t> word_{0};
  alignas(64) std::atomic<int> done_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<bool> busy_{false}, stopped_{false}, stop_{false};
  int64_t n_ = 0;  // the job
  void* ctx_ = nullptr;
  detail::PartFn fn_ = nullptr;
  const KernelLabel* traced_ = nullptr;
  std::exception_ptr error_;
  std::mutex error_mu_;
  std::vector<std::thread> helpers_;  // changed only by the team's holder
  pid_t pid_ = getpid();
};

Team& team() {
  // Never destroyed (a late call at exit finds it stopped, not gone); its helpers are joined at exit.
  static Team* const t = new Team;
  static const bool stops_at_exit = std::atexit([] { t->stop(); }) == 0;
  (void)stops_at_exit;
  return *t;
}

}  // namespace

namespace detail {

void hot_for(int64_t n, void* ctx, PartFn fn) {
  if (n <= 0) return;
  const int parts = static_cast<int>(std::min<int64_t>({num_threads(), n, kMaxParts}));
  // A oneTBB worker (arena slot > 0) is already one of the threads the work is spread over.
  if (parts < 2 || tbb::this_task_arena::current_thread_index() > 0 || !team().try_enter()) {
    fn(ctx, 0, n);
    return;
  }
  struct Leave {
    ~Leave() { team().leave(); }
  } leave;
  team().run(n, parts, ctx, fn);
}

}  // namespace detail
}  // namespace ember::runtime
