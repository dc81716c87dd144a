// Independent cpu Kernels of one evaluation run side by side (graph/eval.cpp, runtime/thread_pool.cpp);
// everything eval guaranteed before still holds. Test kernels registered here observe what runs at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/ops.h"
#include "ember/runtime/profiler.h"
#include "ember/runtime/thread_pool.h"
#include "ember/runtime/trace.h"

using namespace ember;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kN = int64_t{1} << 15;  // enough work for Kernels to be run side by side

std::atomic<int> g_running{0};      // test Kernels running now
std::atomic<int> g_most{0};         // the most that ran at once
std::atomic<int> g_wait_ms{0};      // how long a probe waits for another Kernel to join it
std::atomic<bool> g_alone_running{false}, g_alone_had_company{false}, g_saw_alone{false};
std::atomic<bool> g_slow_started{false}, g_slow_done{false};
std::mutex g_order_mu;
std::vector<int64_t> g_alone_order;

void copy_input(Node& n) {
  cpu::alloc_output(n);
  const Node& in = *n.inputs[0];
  ASSERT_EQ(in.data.strides, contiguous_strides(in.shape));
  std::memcpy(n.data.buffer->data(), in.data.byte_ptr(8), static_cast<size_t>(n.size()) * 8);
}

void enter() {
  int now = ++g_running, most = g_most.load();
  while (now > most && !g_most.compare_exchange_weak(most, now)) {
  }
  if (g_alone_running) g_saw_alone = true;
}

// Copies its input; waits up to g_wait_ms for a second test Kernel to be running at the same time.
void probe_kernel(Node& n) {
  enter();
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(g_wait_ms.load());
  while (g_most.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(100us);
  copy_input(n);
  --g_running;
}

// A Kind::Collective Kernel: must find nothing else running, and runs in program order.
void alone_kernel(Node& n) {
  if (g_running.load() != 0) g_alone_had_company = true;
  g_alone_running = true;
  {
    std::lock_guard<std::mutex> lock(g_order_mu);
    g_alone_order.push_back(n.params.ints.at(0));
  }
  std::this_thread::sleep_for(5ms);
  if (g_running.load() != 0) g_alone_had_company = true;
  copy_input(n);
  g_alone_running = false;
}

void slow_kernel(Node& n) {
  enter();
  g_slow_started = true;
  std::this_thread::sleep_for(200ms);
  copy_input(n);
  g_slow_done = true;
  --g_running;
}

// Fails once a slow Kernel is running beside it (or after 20 s).
void fail_kernel(Node&) {
  auto until = std::chrono::steady_clock::now() + 20s;
  while (!g_slow_started && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(100us);
  std::this_thread::sleep_for(20ms);
  throw ValueError("test kernel failed on purpose");
}

void register_test_kernels() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_kernel(DeviceType::CPU, "test_probe", probe_kernel);
    register_kernel(DeviceType::CPU, "test_alone", alone_kernel);
    register_kernel(DeviceType::CPU, "test_slow", slow_kernel);
    register_kernel(DeviceType::CPU, "test_fail", fail_kernel);
  });
}

NodePtr unary(std::string_view op, const NodePtr& in, Kind kind = Kind::Opaque, int64_t tag = 0) {
  Params p;
  p.ints = {tag};
  return make_node(op, kind, {in}, in->dtype, in->shape, std::move(p));
}

Array vec(int64_t n, double start = 0) {
  Array r = arange(Scalar(start), Scalar(start + static_cast<double>(n)), Scalar(1.0), DType::Float64);
  eval({r.node()});
  return r;
}

std::vector<double> values(const NodePtr& n) {
  eval({n});
  const double* p = n->data.ptr<double>();
  EXPECT_EQ(n->data.strides, contiguous_strides(n->shape));
  return std::vector<double>(p, p + n->size());
}

std::vector<double> iota(int64_t n, double start = 0) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<double>(i);
  return v;
}

// Two threads, concurrency on; puts the settings and the observers back after each test.
class Concurrent : public ::testing::Test {
 protected:
  void SetUp() override {
    register_test_kernels();
    threads_ = runtime::num_threads();
    was_on_ = concurrent_kernels();
    runtime::set_num_threads(2);
    set_concurrent_kernels(true);
    g_running = 0;
    g_most = 0;
    g_wait_ms = 0;
    g_alone_had_company = g_saw_alone = g_slow_started = g_slow_done = false;
    g_alone_order.clear();
  }
  void TearDown() override {
    runtime::set_num_threads(threads_);
    set_concurrent_kernels(was_on_);
    set_between_kernels(nullptr);
  }
  int threads_ = 0;
  bool was_on_ = true;
};

}  // namespace

TEST_F(Concurrent, IndependentKernelsOverlap) {
  g_wait_ms = 20000;  // generous: a loaded machine may start the second thread late
  Array a = vec(kN), b = vec(kN, 7);
  NodePtr x = unary("test_probe", a.node()), y = unary("test_probe", b.node());
  eval({x, y});
  EXPECT_EQ(g_most.load(), 2);
  EXPECT_EQ(values(x), iota(kN));
  EXPECT_EQ(values(y), iota(kN, 7));
}

TEST_F(Concurrent, OffOrOneThreadOrDependentOrSmallRunsOneAtATime) {
  g_wait_ms = 30;
  auto run_two = [](bool dependent, int64_t n) {
    g_most = 0;
    Array a = vec(n), b = vec(n, 3);
    NodePtr x = unary("test_probe", a.node());
    NodePtr y = unary("test_probe", dependent ? x : b.node());
    eval({x, y});
    EXPECT_EQ(values(y), iota(n, dependent ? 0 : 3));
    return g_most.load();
  };
  set_concurrent_kernels(false);
  EXPECT_EQ(run_two(false, kN), 1) << "EMBER_CONCURRENT_KERNELS=0";
  set_concurrent_kernels(true);
  runtime::set_num_threads(1);
  EXPECT_EQ(run_two(false, kN), 1) << "one thread";
  runtime::set_num_threads(2);
  EXPECT_EQ(run_two(true, kN), 1) << "the second reads the first";
  EXPECT_EQ(run_two(false, 100), 1) << "too little work";
}

TEST_F(Concurrent, CollectivesRunAloneInProgramOrder) {
  g_wait_ms = 20000;
  std::vector<Array> in;
  for (int i = 0; i < 6; ++i) in.push_back(vec(kN, i));
  // Program order (post-order of the roots): p0 p1 | c1 | p2 p3 | c2
  NodePtr p0 = unary("test_probe", in[0].node()), p1 = unary("test_probe", in[1].node());
  NodePtr c1 = unary("test_alone", in[2].node(), Kind::Collective, 1);
  NodePtr p2 = unary("test_probe", in[3].node()), p3 = unary("test_probe", in[4].node());
  NodePtr c2 = unary("test_alone", in[5].node(), Kind::Collective, 2);
  eval({p0, p1, c1, p2, p3, c2});
  EXPECT_EQ(g_alone_order, (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(g_alone_had_company);
  EXPECT_FALSE(g_saw_alone);
  EXPECT_EQ(g_most.load(), 2);  // the cpu Kernels between them still overlap
  EXPECT_EQ(values(c2), iota(kN, 5));
  EXPECT_EQ(values(p3), iota(kN, 4));
}

TEST_F(Concurrent, FailureLetsRunningKernelsFinishAndRollsBackWrites) {
  Array a = vec(kN), small = vec(10);
  Array target = zeros({kN}, DType::Float64);
  eval({target.node()});
  NodePtr slow = unary("test_slow", a.node());
  NodePtr bad = unary("test_fail", small.node());
  setitem(target, {Slice{0, 10, std::nullopt}}, Array(bad));  // a write depending on the failure
  NodePtr after = unary("test_probe", bad);
  NodePtr written = target.node();
  try {
    eval({slow, written, after});
    FAIL() << "expected the test kernel's ValueError";
  } catch (const ValueError& e) {
    EXPECT_TRUE(g_slow_done) << "the error was raised before a running Kernel finished";
    EXPECT_NE(std::string(e.what()).find("test kernel failed on purpose"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[in ember.test_fail"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(slow->evaluated);
  EXPECT_FALSE(after->evaluated);
  ASSERT_EQ(after->inputs.size(), 1u);  // nothing the user holds is lost
  EXPECT_EQ(after->inputs[0], bad);
  EXPECT_EQ(values(target.node()), std::vector<double>(kN, 0.0));  // the write was rolled back
  EXPECT_EQ(values(slow), iota(kN));
}

TEST_F(Concurrent, WriteWaitsForEarlierReadersOfTheOldVersion) {
  Array target = vec(kN);
  Array view = getitem(target, {Slice{0, kN / 2, std::nullopt}});
  NodePtr read_all = unary("test_slow", target.node());
  NodePtr read_view = unary("test_slow", view.node());
  setitem(target, {Slice{0, 10, std::nullopt}}, full({10}, Scalar(5.0), DType::Float64));
  runtime::set_tracing(true);
  eval({read_all, read_view, target.node()});
  runtime::set_tracing(false);
  int64_t readers_end = 0, write_start = -1;
  for (const auto& e : runtime::trace_events()) {
    if (e.name == "test_slow") readers_end = std::max(readers_end, e.ts_ns + e.dur_ns);
    if (e.name == "set_view") write_start = e.ts_ns;
  }
  ASSERT_GE(write_start, 0);
  EXPECT_GE(write_start, readers_end);
  EXPECT_EQ(values(read_all), iota(kN));
  EXPECT_EQ(values(read_view), iota(kN / 2));
  std::vector<double> want = iota(kN);
  std::fill(want.begin(), want.begin() + 10, 5.0);
  EXPECT_EQ(values(target.node()), want);
}

namespace {
std::atomic<int> g_hook_calls{0};
void count_hook() { ++g_hook_calls; }
}  // namespace

TEST_F(Concurrent, HookProfileAndTraceSeeEveryKernel) {
  g_wait_ms = 20000;
  std::vector<Array> in;
  std::vector<NodePtr> roots;
  for (int i = 0; i < 4; ++i) {
    in.push_back(vec(kN, i));
    roots.push_back(unary("test_probe", in.back().node()));
  }
  g_hook_calls = 0;
  set_between_kernels(count_hook);
  runtime::profile_reset();
  runtime::set_profiling(true);
  runtime::set_tracing(true);
  eval(roots);
  runtime::set_tracing(false);
  runtime::set_profiling(false);
  set_between_kernels(nullptr);
  EXPECT_EQ(g_hook_calls.load(), 4);
  int64_t calls = 0;
  for (const auto& r : runtime::profile_rows())
    if (r.op == "test_probe") calls += r.counters.calls;
  EXPECT_EQ(calls, 4);
  runtime::profile_reset();
  // One track per thread: Kernels ran on two of them, and on one track events nest or follow.
  std::vector<runtime::TraceEvent> kernels;
  for (const auto& e : runtime::trace_events())
    if (e.name == "test_probe") kernels.push_back(e);
  ASSERT_EQ(kernels.size(), 4u);
  std::vector<int> tids;
  for (const auto& e : kernels) tids.push_back(e.tid);
  std::sort(tids.begin(), tids.end());
  EXPECT_GE(std::unique(tids.begin(), tids.end()) - tids.begin(), 2);
  for (const auto& x : kernels)
    for (const auto& y : kernels)
      if (&x != &y && x.tid == y.tid) {
        EXPECT_TRUE(x.ts_ns + x.dur_ns <= y.ts_ns || y.ts_ns + y.dur_ns <= x.ts_ns)
            << "two Kernels at once on one track";
      }
  bool worker = false;
  for (const auto& [tid, name] : runtime::trace_threads()) worker = worker || name == "worker";
  EXPECT_TRUE(worker);
  for (const NodePtr& r : roots) EXPECT_TRUE(r->evaluated);
}

TEST(ConcurrentGraph, RunTaskGraphKeepsOrderAndStops) {
  int threads = runtime::num_threads();
  runtime::set_num_threads(2);
  // A diamond and a chain: 0 -> {1, 2} -> 3; 4 -> 5
  std::vector<std::vector<int>> succ{{1, 2}, {3}, {3}, {}, {5}, {}};
  std::vector<int> waits{0, 1, 1, 2, 0, 1};
  std::mutex mu;
  std::vector<int> done;
  runtime::run_task_graph(succ, waits, [&](int i) {
    std::lock_guard<std::mutex> lock(mu);
    done.push_back(i);
    return true;
  });
  ASSERT_EQ(done.size(), 6u);
  auto pos = [&](int i) { return std::find(done.begin(), done.end(), i) - done.begin(); };
  EXPECT_LT(pos(0), pos(1));
  EXPECT_LT(pos(0), pos(2));
  EXPECT_LT(pos(1), pos(3));
  EXPECT_LT(pos(2), pos(3));
  EXPECT_LT(pos(4), pos(5));
  // A task that fails (returns false or throws): its successors never start, the others run.
  for (bool throws : {false, true}) {
    done.clear();
    runtime::run_task_graph(succ, waits, [&](int i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back(i);
      }
      if (i == 0 && throws) throw std::runtime_error("task 0");
      return i != 0;
    });
    std::sort(done.begin(), done.end());
    EXPECT_EQ(done, (std::vector<int>{0, 4, 5}));
  }
  runtime::set_num_threads(threads);
}
