#include "ember/backend/cuda/compile_check.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/render.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

// Kernels per NVRTC program: the prelude is parsed once per program, and one program of many small
// kernels compiles much faster than as many programs.
constexpr size_t kBatch = 48;

struct Item {
  std::string name, kernel, what;
};

struct State {
  std::mutex mu;
  std::condition_variable work, idle;
  std::deque<Item> pending;
  std::unordered_set<std::string> names;
  std::vector<std::string> errors;  // not yet raised
  int busy = 0;  // workers compiling now
  bool stop = false, started = false;
  std::string arch = "sm_90";
  CheckStats stats;
};

State& state() {
  static State* s = new State;  // never destroyed: the worker may outlive static destructors
  return *s;
}

const std::vector<std::string>& options() {
  static const std::vector<std::string> o{"-std=c++17"};
  return o;
}

// Compiling threads: EMBER_NVRTC_CHECK_THREADS, else the core count up to 4 (the tests run beside
// them; NVRTC compiles distinct programs concurrently).
int workers() {
  if (const char* e = std::getenv("EMBER_NVRTC_CHECK_THREADS"); e && std::atoi(e) > 0) return std::atoi(e);
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

// Compiles a batch; on an error, each kernel alone, to name the ones that fail.
void compile_batch(std::vector<Item>& batch, const std::string& arch, CheckStats& st, std::vector<std::string>& errors) {
  auto t0 = std::chrono::steady_clock::now();
  auto compile = [&](const std::string& kernels, const std::string& name) {
    ++st.programs;
    nvrtc_compile(prelude() + kernels, name, arch, options());
  };
  std::string all;
  for (auto& it : batch) all += it.kernel;
  try {
    compile(all, "ember_check_batch.cu");
    st.compiled += static_cast<int64_t>(batch.size());
  } catch (const std::exception&) {
    for (auto& it : batch) {
      try {
        compile(it.kernel, it.name + ".cu");
        ++st.compiled;
      } catch (const std::exception& e) {
        ++st.failed;
        errors.push_back("NVRTC check: kernel " + it.name + " (" + it.what + ") does not compile for " + arch + ": " +
                         e.what() + "\n--- kernel ---\n" + it.kernel);
      }
    }
  }
  st.compile_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void worker() {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  for (;;) {
    s.work.wait(lock, [&] { return s.stop || !s.pending.empty(); });
    if (s.stop) break;
    std::vector<Item> batch;
    while (!s.pending.empty() && batch.size() < kBatch) {
      batch.push_back(std::move(s.pending.front()));
      s.pending.pop_front();
    }
    ++s.busy;
    std::string arch = s.arch;
    CheckStats st;
    std::vector<std::string> errors;
    lock.unlock();
    compile_batch(batch, arch, st, errors);
    lock.lock();
    --s.busy;
    s.stats.compiled += st.compiled;
    s.stats.failed += st.failed;
    s.stats.programs += st.programs;
    s.stats.compile_seconds += st.compile_seconds;
    s.errors.insert(s.errors.end(), errors.begin(), errors.end());
    s.idle.notify_all();
  }
  s.idle.notify_all();
}

// Raises the errors not raised yet (called with the lock held).
void raise_errors(State& s) {
  if (s.errors.empty()) return;
  std::string msg;
  for (auto& e : s.errors) {
    if (!msg.empty()) msg += "\n\n";
    msg += e;
  }
  int n = static_cast<int>(s.errors.size());
  s.errors.clear();
  throw CompileError(std::to_string(n) + " fused kernel(s) failed the NVRTC check:\n" + msg, msg);
}

// At exit: stop the worker between batches, so no compile runs while the process tears down.
void stop_worker() {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  s.stop = true;
  s.work.notify_all();
  s.idle.wait(lock, [&] { return s.busy == 0; });
}

void observe(const KernelDesc& k) {
  Rendered r;
  try {
    r = render(k);
  } catch (const std::exception& e) {
    throw NotImplementedError("NVRTC check: the cuda device cannot render the fused kernel " + describe_kernel(k) +
                              ": " + e.what());
  }
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.stats.seen;
  if (s.names.insert(r.name).second) {
    ++s.stats.unique;
    s.pending.push_back({r.name, std::move(r.kernel), describe_kernel(k)});
    if (!s.started) {
      s.started = true;
      for (int i = 0; i < workers(); ++i) std::thread(worker).detach();
      std::atexit(stop_worker);
    }
    s.work.notify_one();
  }
  raise_errors(s);
}

}  // namespace

void enable_compile_check(bool on, const std::string& arch) {
  if (on) {
    if (!nvrtc_available()) throw std::runtime_error("EMBER_NVRTC_CHECK needs NVRTC: " + nvrtc_error());
    {
      std::lock_guard<std::mutex> lock(state().mu);
      state().arch = arch;
    }
    set_fused_observer(observe);
  } else {
    set_fused_observer(nullptr);
  }
}

void enable_compile_check_from_env() {
  const char* on = std::getenv("EMBER_NVRTC_CHECK");
  if (!on || std::string(on) == "0" || std::string(on).empty()) return;
  const char* arch = std::getenv("EMBER_NVRTC_CHECK_ARCH");
  enable_compile_check(true, arch && *arch ? arch : "sm_90");
}

bool compile_check_enabled() { return fused_observer() == observe; }

void compile_check_flush() {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  s.idle.wait(lock, [&] { return (s.pending.empty() && s.busy == 0) || s.stop; });
  raise_errors(s);
}

CheckStats compile_check_stats() {
  std::lock_guard<std::mutex> lock(state().mu);
  return state().stats;
}

}  // namespace ember::cuda
