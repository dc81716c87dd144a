#include "ember/graph/eval.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "ember/array.h"
#include "ember/backend/cpu/fused.h"
#include "ember/backend/cpu/matvec_fused.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/control.h"
#include "ember/graph/node_map.h"
#include "ember/graph/observe.h"
#include "ember/graph/passes/fusion.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/graph/plan_cache.h"
#include "ember/graph/trace.h"
#include "ember/runtime/env.h"
#include "ember/runtime/scheduler.h"
#include "ember/runtime/thread_pool.h"

namespace ember {
namespace {

// A split-phase collective is a start node (it posts the communication) and a completion node
// (a Collective with params.flag, reading the start). The order is rebuilt so that a completion
// runs only when nothing else is ready: all the work that does not need its result (other starts
// included) runs while the message is in flight. The rebuild is deterministic, so every rank still
// posts its collectives in the same order.
void defer_completions(std::vector<Node*>& order) {
  auto is_completion = [](const Node* n) { return n->kind == Kind::Collective && n->params.flag; };
  if (std::none_of(order.begin(), order.end(), is_completion)) return;
  std::unordered_map<const Node*, size_t> pos;
  for (size_t i = 0; i < order.size(); ++i) pos.emplace(order[i], i);
  std::vector<int> missing(order.size(), 0);
  std::vector<std::vector<size_t>> readers(order.size());
  for (size_t i = 0; i < order.size(); ++i)
    for (auto& in : order[i]->inputs) {
      auto it = pos.find(in.get());
      if (it == pos.end()) continue;
      ++missing[i];
      readers[it->second].push_back(i);
    }
  // Ready nodes by their place in the original order: work first, completions when none is left.
  using Ready = std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>>;
  Ready work, completions;
  auto ready = [&](size_t i) { (is_completion(order[i]) ? completions : work).push(i); };
  for (size_t i = 0; i < order.size(); ++i)
    if (missing[i] == 0) ready(i);
  std::vector<Node*> out;
  out.reserve(order.size());
  while (!work.empty() || !completions.empty()) {
    Ready& from = work.empty() ? completions : work;
    size_t i = from.top();
    from.pop();
    out.push_back(order[i]);
    for (size_t r : readers[i])
      if (--missing[r] == 0) ready(r);
  }
  order.swap(out);
}

// Post-order of the unevaluated nodes under `roots`, without recursion (graphs can be deep).
// Nodes in `pending` (being computed by an earlier asynchronous job) count as evaluated; `keep`,
// when given, receives an owning pointer to every scheduled node.
std::vector<Node*> schedule(const std::vector<NodePtr>& roots, const std::unordered_set<Node*>* pending = nullptr,
                            std::vector<NodePtr>* keep = nullptr) {
  std::vector<Node*> order;
  FlatMap<const Node*, char> seen(64);
  std::vector<std::pair<Node*, size_t>> stack;
  auto done = [&](Node* n) { return n->evaluated || (pending && !pending->empty() && pending->count(n)); };
  for (auto& r : roots) {
    if (done(r.get()) || !seen.insert(r.get(), 1).second) continue;
    if (keep) keep->push_back(r);
    stack.push_back({r.get(), 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        const NodePtr& in = node->inputs[next++];
        if (!done(in.get()) && seen.insert(in.get(), 1).second) {
          if (keep) keep->push_back(in);
          stack.push_back({in.get(), 0});
        }
      } else {
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  defer_completions(order);
  return order;
}

std::atomic<void (*)()> g_between_kernels{nullptr};

void between_kernels() {
  if (auto hook = g_between_kernels.load(std::memory_order_relaxed)) hook();
}

// After `order[failed]` failed, every write that depended on it cannot happen: put each such
// storage back to its previous version, so a failed evaluation loses no data. Nodes in `ran` were
// computed (they depend on no failure) and may be freed already: they are never read.
void roll_back_writes(const std::vector<Node*>& order, size_t failed,
                      const std::unordered_set<const Node*>* ran = nullptr) {
  std::unordered_set<Node*> affected{order[failed]};
  for (size_t i = failed; i < order.size(); ++i) {
    Node* n = order[i];
    if (ran && ran->count(n)) continue;
    bool hit = affected.count(n) > 0;
    for (auto& in : n->inputs) hit = hit || affected.count(in.get()) > 0;
    if (!hit) continue;
    affected.insert(n);
    if (auto storage = n->writes.lock())
      if (storage->version.get() == n && !n->inputs.empty()) storage->version = n->inputs[0];
  }
}

template <class E>
[[noreturn]] void rethrow_with_context(const E& e, const Node& n) {
  std::string where = n.origin.empty() ? "" : " (created at " + n.origin + ")";
  throw E(std::string(e.what()) + " [in ember." + std::string(n.op) + where + "]");
}

// Rethrows the active exception with the op and the user's line added, keeping its type.
[[noreturn]] void rethrow_current(const Node& node) {
  try {
    throw;
  } catch (const AxisError& e) {
    rethrow_with_context(e, node);
  } catch (const ValueError& e) {
    rethrow_with_context(e, node);
  } catch (const TypeError& e) {
    rethrow_with_context(e, node);
  } catch (const IndexError& e) {
    rethrow_with_context(e, node);
  } catch (const OverflowError& e) {
    rethrow_with_context(e, node);
  } catch (const NotImplementedError& e) {
    rethrow_with_context(e, node);
  } catch (const LinAlgError& e) {
    rethrow_with_context(e, node);
  }
}

// A traced function asked for a value that only exists when its plan runs.
[[noreturn]] void throw_needs_value() {
  throw TypeError(
      "the value of an array traced by @ember.jit (or by ember.cond/while_loop/fori_loop/scan) is needed "
      "here, but it is only known when the compiled function runs: Python `if`/`while`/`bool()`/`float()`/"
      ".item()/.numpy() on it cannot be traced. @ember.jit converts if/while/for on arrays written in the "
      "jitted function itself; elsewhere use ember.where, ember.cond, ember.while_loop or ember.fori_loop");
}

// Computes one kernel's values (fused, control flow, or a device kernel). On failure `failed` is
// the node that raised (or null: the kernel's last product).
void execute(const KernelDesc& k, Node*& failed) {
  failed = k.single;
  if (!k.single) {  // a fused Kernel runs on the device of its nodes
    const DeviceType device = !k.code.empty() ? k.code.front().node->device
                              : k.reduction   ? k.reduction->device
                                              : DeviceType::CPU;
    if (device == DeviceType::CPU) {
      if (FusedObserver watch = fused_observer()) watch(k);
      if (k.matvec.transposed) cpu::run_matvec_fused(k, failed);
      else cpu::run_fused(k, failed);
    } else {
      run_fused_on(device, k);
    }
  } else if (k.single->op == "control_output") run_control_output(*k.single);
  else if (k.single->kind == Kind::Control) run_control(*k.single);
  else if (is_parameter(*k.single)) throw_needs_value();
  else run_node(*k.single);
}

// An evaluated cpu value in ember's own memory with nothing behind it: freeing it touches no Python
// object (a buffer wrapped from NumPy releases its owner under the GIL), so any thread may.
bool plain(const Node& n) {
  const Buffer* b = n.data.buffer.get();
  return n.device == DeviceType::CPU && n.inputs.empty() && n.results.empty() && !n.params.blob &&
         (!b || (!b->device && b->own()));
}

// Where the inputs a finished Kernel drops go. Without `later` they are freed at once (the calling
// thread of a synchronous evaluation). Asynchronous jobs put them all in `later`, freed on the
// caller's thread at the sync point (workers never touch Python objects); a pool thread of a
// synchronous evaluation frees plain ones and leaves the rest to its caller, which may hold the GIL.
struct Drops {
  std::vector<NodePtr>* later = nullptr;
  bool async = false;
  bool keep = false;  // a compiled Program's Kernel: its nodes keep their inputs (it runs again)
};

// Runs one kernel and marks what it produced evaluated. On failure `failed` is the node that
// raised (the exception stays active for the caller to handle).
void run(const KernelDesc& k, Node*& failed, const Drops& drops = {}) {
  KernelWatch watch(k, drops.async);  // profile and trace (one relaxed load when off)
  execute(k, failed);
  watch.done();
  std::atomic_thread_fence(std::memory_order_release);  // data is written before `evaluated` is seen
  k.each_produced([&](Node* node) {
    if (drops.keep) {
      node->evaluated = true;
      return;
    }
    node->depth = 0;
    node->evaluated = true;
    if (drops.later)
      for (NodePtr& in : node->inputs)
        if (drops.async || !plain(*in)) drops.later->push_back(std::move(in));
    node->inputs.clear();  // frees the graph behind it
    node->inputs.shrink_to_fit();
  });
  between_kernels();
}

// ---- Kernels side by side ----
//
// The Kernels of one evaluation come in program order (fusion's order: every Kernel after those it
// reads). cpu Kernels run as a dependency graph on the pool, so independent ones overlap, each still
// splitting over the threads inside. Everything else runs alone, in program order, with nothing
// else running: other devices (pim is one simulated machine with state), collectives (every rank
// must issue them in the same order) and control flow.

constexpr int64_t kConcurrentMinElements = int64_t{1} << 15;  // below, starting tasks costs more

std::atomic<bool> g_concurrent{env_switch_on("EMBER_CONCURRENT_KERNELS")};

bool runs_alone(const KernelDesc& k) {
  auto off_cpu = [](const Node* n) { return n->device != DeviceType::CPU; };
  if (k.single) {
    const Node& n = *k.single;
    if (n.kind == Kind::Collective || n.kind == Kind::Control || n.op == "control_output" || is_parameter(n))
      return true;
    return off_cpu(&n) ||
           std::any_of(n.inputs.begin(), n.inputs.end(), [&](const NodePtr& in) { return off_cpu(in.get()); });
  }
  return (!k.code.empty() && off_cpu(k.code.front().node)) || std::any_of(k.inputs.begin(), k.inputs.end(), off_cpu);
}

// OpenBLAS keeps process-wide state (matmul sets its thread count around small products) and runs
// its own threads: its calls stay one at a time, in program order.
bool calls_blas(const KernelDesc& k) {
  static constexpr std::string_view kOps[] = {"matmul", "cholesky", "det", "slogdet", "inv",
                                              "solve", "eigh", "qr", "svd"};
  return k.single && std::find(std::begin(kOps), std::end(kOps), k.single->op) != std::end(kOps);
}

int64_t kernel_work(const KernelDesc& k) { return k.single ? k.single->size() : shape_size(k.shape); }

template <class F>
void each_read(const KernelDesc& k, F&& f) {
  if (k.single)
    for (const NodePtr& in : k.single->inputs) f(in.get());
  else
    for (const Node* in : k.inputs) f(in);
}

// The storage version a chain of (still lazy) views reads.
const Node* view_base(const Node* n) {
  while (n->kind == Kind::View && !n->inputs.empty()) n = n->inputs[0].get();
  return n;
}

struct KernelGraph {
  std::vector<std::vector<int>> successors;
  std::vector<int> waits;
};

// ks[b, e) as a dependency graph. A Kernel waits for the Kernels producing what it reads; a write
// for every Kernel before it that reads the version it replaces (or a view of it), so it never
// overwrites data a reader still needs; a BLAS call for the one before it. Every edge points
// forward in program order, so the graph has no cycle.
KernelGraph kernel_graph(const std::vector<KernelDesc>& ks, size_t b, size_t e) {
  const int n = static_cast<int>(e - b);
  KernelGraph g{std::vector<std::vector<int>>(n), std::vector<int>(n, 0)};
  std::unordered_map<const Node*, int> producer;
  for (int t = 0; t < n; ++t) ks[b + t].each_produced([&](Node* p) { producer.emplace(p, t); });
  auto edge = [&](int from, int to) {
    auto& s = g.successors[from];
    if (from >= to || std::find(s.begin(), s.end(), to) != s.end()) return;
    s.push_back(to);
    ++g.waits[to];
  };
  int last_blas = -1;
  for (int t = 0; t < n; ++t) {
    const KernelDesc& k = ks[b + t];
    each_read(k, [&](const Node* in) {
      auto it = producer.find(in);
      if (it != producer.end()) edge(it->second, t);
    });
    if (calls_blas(k)) {
      if (last_blas >= 0) edge(last_blas, t);
      last_blas = t;
    }
    if (k.single && is_write(*k.single) && !k.single->inputs.empty()) {
      const Node* old = view_base(k.single->inputs[0].get());
      for (int r = 0; r < t; ++r) {
        bool reads = false;
        each_read(ks[b + r], [&](const Node* in) { reads = reads || view_base(in) == old; });
        if (reads) edge(r, t);
      }
    }
  }
  return g;
}

}  // namespace

bool side_by_side() { return g_concurrent.load(std::memory_order_relaxed) && runtime::num_threads() > 1; }

KernelRun next_run(const std::vector<KernelDesc>& ks, size_t i, size_t e) {
  if (runs_alone(ks[i])) return {i, i + 1, false};
  size_t j = i + 1;
  int64_t work = kernel_work(ks[i]);
  while (j < e && !runs_alone(ks[j])) work += kernel_work(ks[j++]);
  return {i, j, j - i > 1 && work >= kConcurrentMinElements};
}

namespace {

struct Failure {
  size_t kernel = 0;      // its place in program order
  Node* node = nullptr;   // the node that raised
  std::exception_ptr error;  // naming the op and the user's line
};

// Call inside a handler: the active error of ks[i], with the op and line added.
Failure failure(const KernelDesc& k, size_t i, Node* failed) {
  Failure f{i, failed ? failed : k.produced().back(), nullptr};
  try {
    rethrow_current(*f.node);
  } catch (...) {
    f.error = std::current_exception();
  }
  return f;
}

// Runs ks[b, e) (cpu Kernels) as a dependency graph. After a failure, Kernels later in program
// order do not start; earlier ones still run, as they would have one by one, so the error raised
// (the earliest failure in program order) is the one a serial run raises. Running Kernels finish
// before this returns the failures, earliest first.
std::vector<Failure> run_together(const std::vector<KernelDesc>& ks, size_t b, size_t e,
                                  std::vector<NodePtr>* graveyard, std::vector<char>& ran, bool keep = false) {
  KernelGraph g = kernel_graph(ks, b, e);
  std::vector<std::vector<NodePtr>> later(e - b);  // one per task: no lock
  std::mutex mu;
  std::vector<Failure> failures;
  std::atomic<size_t> first_failed{e};
  const std::thread::id caller = std::this_thread::get_id();
  runtime::run_task_graph(g.successors, g.waits, [&](int t) {
    const size_t i = b + static_cast<size_t>(t);
    if (i > first_failed.load()) return false;  // its successors do not start either
    if (runtime::observing() && std::this_thread::get_id() != caller) runtime::name_thread("worker");
    Node* failed = nullptr;
    try {
      run(ks[i], failed, Drops{&later[t], graveyard != nullptr, keep});
      ran[i] = 1;
      return true;
    } catch (...) {
      Failure f = failure(ks[i], i, failed);
      size_t seen = first_failed.load();
      while (i < seen && !first_failed.compare_exchange_weak(seen, i)) {
      }
      std::lock_guard<std::mutex> lock(mu);
      failures.push_back(std::move(f));
      return false;
    }
  });
  for (auto& l : later) {  // freed here, on the caller's thread (or at the sync point)
    if (graveyard)
      graveyard->insert(graveyard->end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
    l.clear();
  }
  std::sort(failures.begin(), failures.end(), [](const Failure& x, const Failure& y) { return x.kernel < y.kernel; });
  return failures;
}

// Runs the Kernels of one evaluation: runs of independent cpu Kernels side by side when there are
// threads and work enough, the rest one by one on this thread. Stops at the first failure and
// returns the failures, earliest in program order first (empty: every Kernel ran); ran[i] says
// whether ks[i] ran.
std::vector<Failure> run_kernels(const std::vector<KernelDesc>& ks, std::vector<NodePtr>* graveyard,
                                 std::vector<char>& ran) {
  ran.assign(ks.size(), 0);
  const bool together = ks.size() > 1 && side_by_side();
  for (size_t i = 0; i < ks.size();) {
    const KernelRun r = together ? next_run(ks, i, ks.size()) : KernelRun{i, i + 1, false};
    if (r.together) {
      std::vector<Failure> failures = run_together(ks, r.begin, r.end, graveyard, ran);
      if (!failures.empty()) return failures;
      i = r.end;
      continue;
    }
    for (; i < r.end; ++i) {
      Node* failed = nullptr;
      try {
        run(ks[i], failed, Drops{graveyard, graveyard != nullptr});
        ran[i] = 1;
      } catch (...) {
        return {failure(ks[i], i, failed)};
      }
    }
  }
  return {};
}

// Puts back the writes that depended on the failures (see roll_back_writes). ran[i]: ks[i] ran.
void roll_back(const std::vector<Node*>& order, const std::vector<KernelDesc>& ks, const std::vector<char>& ran,
               const std::vector<Failure>& failures) {
  std::unordered_set<const Node*> computed;  // by Kernels that ran: their nodes may be gone
  for (size_t i = 0; i < ks.size(); ++i)
    if (ran[i]) {
      ks[i].each_produced([&](Node* n) { computed.insert(n); });
      for (const Instr& in : ks[i].code) computed.insert(in.node);
    }
  for (const Failure& f : failures) {
    auto it = std::find(order.begin(), order.end(), f.node);
    roll_back_writes(order, it == order.end() ? 0 : static_cast<size_t>(it - order.begin()), &computed);
  }
}

// ---- asynchronous evaluation ----

constexpr int64_t kAsyncMinElements = int64_t{1} << 18;

struct Job {
  std::vector<NodePtr> keep;  // every scheduled node, alive until collected on the caller's thread
  std::vector<Node*> order;
  std::vector<KernelDesc> kernels;
  std::vector<NodePtr> graveyard;  // inputs dropped by its Kernels, freed on the caller's thread
  std::exception_ptr error;
  std::vector<Node*> failed;  // the nodes that raised
};

struct AsyncState {
  std::mutex mu;
  std::vector<std::shared_ptr<Job>> jobs;
  std::unordered_set<Node*> pending;
  std::atomic<bool> poisoned{false};  // a job failed: later jobs (which may read its results) skip
};

AsyncState& async_state() {
  static AsyncState* s = new AsyncState;
  return *s;
}

// Waits for every asynchronous job, frees what they dropped, and rethrows the first error (after
// rolling back the writes that depended on it). Nodes of failed or skipped jobs keep their inputs.
void collect() {
  AsyncState& st = async_state();
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    if (st.jobs.empty()) return;
    runtime::wait_all();
    jobs.swap(st.jobs);
    st.pending.clear();
    st.poisoned = false;
  }
  for (auto& job : jobs) {
    if (!job->error) continue;
    for (Node* failed : job->failed) {  // `keep` holds every node of the job: all may be read
      auto it = std::find(job->order.begin(), job->order.end(), failed);
      if (it != job->order.end()) roll_back_writes(job->order, static_cast<size_t>(it - job->order.begin()));
    }
    std::rethrow_exception(job->error);
  }
}

// The cpu's fusion rules, and for nodes on other devices theirs (pim fuses elementwise chains).
bool can_fuse_elementwise(const Node& n) {
  return n.device == DeviceType::CPU ? cpu::can_fuse_elementwise(n) : device_can_fuse(n);
}

bool can_fuse_reduction(const Node& n) {
  return n.device == DeviceType::CPU ? cpu::can_fuse_reduction(n) : device_can_fuse_reduction(n);
}

const FusionRules& cpu_rules() {
  static const FusionRules r{can_fuse_elementwise, can_fuse_reduction};
  return r;
}

}  // namespace

std::vector<Node*> schedule_unevaluated(const std::vector<NodePtr>& roots) { return schedule(roots); }

std::vector<KernelDesc> compile_kernels(const std::vector<Node*>& order, const std::vector<NodePtr>& roots) {
  std::vector<Node*> passed = order;
  run_graph_passes(passed, roots);
  return fuse(passed, roots, cpu_rules());
}

void run_kernel_keep_inputs(const KernelDesc& k) {
  Node* failed = nullptr;
  KernelWatch watch(k, false);
  try {
    execute(k, failed);
  } catch (...) {
    rethrow_current(failed ? *failed : *k.produced().back());
  }
  watch.done();
  std::atomic_thread_fence(std::memory_order_release);
  k.each_produced([](Node* node) { node->evaluated = true; });
  between_kernels();
}

bool kernels_run_one_by_one(const std::vector<KernelDesc>& ks) {
  if (ks.size() < 2 || !side_by_side()) return true;
  for (size_t i = 0; i < ks.size();) {  // the runs run_kernels would hand to run_together
    const KernelRun r = next_run(ks, i, ks.size());
    if (r.together) return false;
    i = r.end;
  }
  return true;
}

void run_together_keep_inputs(const std::vector<KernelDesc>& ks, size_t b, size_t e) {
  std::vector<char> ran(ks.size(), 0);
  std::vector<Failure> failures = run_together(ks, b, e, nullptr, ran, true);
  if (!failures.empty()) std::rethrow_exception(failures.front().error);
}

void set_between_kernels(void (*hook)()) { g_between_kernels.store(hook); }

void set_concurrent_kernels(bool on) { g_concurrent.store(on); }
bool concurrent_kernels() { return g_concurrent.load(); }

std::vector<KernelDesc> plan(const std::vector<NodePtr>& roots) {
  collect();
  std::vector<Node*> order = schedule(roots);
  run_graph_passes(order, roots);
  return fuse(order, roots, cpu_rules());
}

void eval_async(const std::vector<NodePtr>& roots) {
  AsyncState& st = async_state();
  auto job = std::make_shared<Job>();
  {
    std::unique_lock<std::mutex> lock(st.mu);
    job->order = schedule(roots, &st.pending);
    if (job->order.empty()) return;
    run_graph_passes(job->order, roots);
    job->kernels = fuse(job->order, roots, cpu_rules());  // before `keep` adds a holder to every node
    // Small work runs at once: handing it to another thread would cost more than it saves.
    int64_t work = 0;
    for (const KernelDesc& k : job->kernels) work += k.single ? k.single->size() : shape_size(k.shape);
    if (work < kAsyncMinElements) {
      lock.unlock();
      job.reset();
      eval(roots);
      return;
    }
    debug_compiled(roots, job->kernels);  // EMBER_DEBUG
    schedule(roots, &st.pending, &job->keep);
    for (Node* n : job->order) st.pending.insert(n);
    st.jobs.push_back(job);
  }
  runtime::submit([job, &st] {
    if (st.poisoned) {  // a later job may read an earlier one's results
      job->error = std::make_exception_ptr(std::runtime_error("skipped after an earlier failure"));
      return;
    }
    std::vector<char> ran;
    std::vector<Failure> failures = run_kernels(job->kernels, &job->graveyard, ran);
    if (failures.empty()) return;
    for (const Failure& f : failures) job->failed.push_back(f.node);
    job->error = failures.front().error;
    st.poisoned = true;
  });
}

bool async_pending() {
  AsyncState& st = async_state();
  std::lock_guard<std::mutex> lock(st.mu);
  return !st.jobs.empty();
}

void eval(const std::vector<NodePtr>& roots) {
  collect();  // a sync point: earlier asynchronous work finishes (and reports its errors) first
  eval_now(roots);
}

void eval_now(const std::vector<NodePtr>& roots) {
  if (std::all_of(roots.begin(), roots.end(), [](const NodePtr& r) { return r->evaluated; })) return;  // reads
  std::vector<Node*> order = schedule(roots);
  if (plan_cache_eval(order, roots)) return;  // a graph of a known structure: its kept plan ran
  run_graph_passes(order, roots);
  std::vector<KernelDesc> kernels = fuse(order, roots, cpu_rules());
  debug_compiled(roots, kernels);  // EMBER_DEBUG
  std::vector<char> ran;
  std::vector<Failure> failures = run_kernels(kernels, nullptr, ran);
  if (failures.empty()) return;
  roll_back(order, kernels, ran, failures);  // before the error reaches the user
  std::rethrow_exception(failures.front().error);
}

}  // namespace ember
