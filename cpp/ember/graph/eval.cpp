#include "ember/graph/eval.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "ember/array.h"
#include "ember/backend/cpu/fused.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/control.h"
#include "ember/graph/node_map.h"
#include "ember/graph/observe.h"
#include "ember/graph/passes/fusion.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/graph/trace.h"
#include "ember/runtime/scheduler.h"

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
// storage back to its previous version, so a failed evaluation loses no data.
void roll_back_writes(const std::vector<Node*>& order, size_t failed) {
  std::unordered_set<Node*> affected{order[failed]};
  for (size_t i = failed; i < order.size(); ++i) {
    Node* n = order[i];
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
    const DeviceType device = k.code.empty() ? DeviceType::CPU : k.code.front().node->device;
    if (device == DeviceType::CPU) {
      if (FusedObserver watch = fused_observer()) watch(k);
      cpu::run_fused(k, failed);
    } else {
      run_fused_on(device, k);
    }
  } else if (k.single->op == "control_output") run_control_output(*k.single);
  else if (k.single->kind == Kind::Control) run_control(*k.single);
  else if (is_parameter(*k.single)) throw_needs_value();
  else run_node(*k.single);
}

// Runs one kernel and marks what it produced evaluated. On failure returns the node that raised
// (the exception stays active for the caller to rethrow). With a graveyard (asynchronous jobs) the
// dropped inputs go there, to be freed on the caller's thread: a buffer may hold a Python object.
void run(const KernelDesc& k, Node*& failed, std::vector<std::vector<NodePtr>>* graveyard = nullptr) {
  KernelWatch watch(k, graveyard != nullptr);  // profile and trace (one relaxed load when off)
  execute(k, failed);
  watch.done();
  std::atomic_thread_fence(std::memory_order_release);  // data is written before `evaluated` is seen
  k.each_produced([&](Node* node) {
    node->depth = 0;
    node->evaluated = true;
    if (graveyard) graveyard->push_back(std::move(node->inputs));
    node->inputs.clear();  // frees the graph behind it
    node->inputs.shrink_to_fit();
  });
  between_kernels();
}

// ---- asynchronous evaluation ----

constexpr int64_t kAsyncMinElements = int64_t{1} << 18;

struct Job {
  std::vector<NodePtr> keep;  // every scheduled node, alive until collected on the caller's thread
  std::vector<Node*> order;
  std::vector<KernelDesc> kernels;
  std::vector<std::vector<NodePtr>> graveyard;
  std::exception_ptr error;
  Node* failed = nullptr;
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
    if (job->failed) {
      auto it = std::find(job->order.begin(), job->order.end(), job->failed);
      if (it != job->order.end()) roll_back_writes(job->order, static_cast<size_t>(it - job->order.begin()));
    }
    std::rethrow_exception(job->error);
  }
}

// The cpu's fusion rules, and for nodes on other devices theirs (pim fuses elementwise chains).
bool can_fuse_elementwise(const Node& n) {
  return n.device == DeviceType::CPU ? cpu::can_fuse_elementwise(n) : device_can_fuse(n);
}

const FusionRules& cpu_rules() {
  static const FusionRules r{can_fuse_elementwise, cpu::can_fuse_reduction};
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

void set_between_kernels(void (*hook)()) { g_between_kernels.store(hook); }

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
    for (const KernelDesc& k : job->kernels) {
      if (st.poisoned) {
        job->error = std::make_exception_ptr(std::runtime_error("skipped after an earlier failure"));
        return;
      }
      Node* failed = nullptr;
      try {
        run(k, failed, &job->graveyard);
      } catch (...) {
        job->failed = failed ? failed : k.produced().back();
        try {
          rethrow_current(*job->failed);
        } catch (...) {
          job->error = std::current_exception();
        }
        st.poisoned = true;
        return;
      }
    }
  });
}

void eval(const std::vector<NodePtr>& roots) {
  collect();  // a sync point: earlier asynchronous work finishes (and reports its errors) first
  eval_now(roots);
}

void eval_now(const std::vector<NodePtr>& roots) {
  if (std::all_of(roots.begin(), roots.end(), [](const NodePtr& r) { return r->evaluated; })) return;  // reads
  std::vector<Node*> order = schedule(roots);
  run_graph_passes(order, roots);
  std::vector<KernelDesc> kernels = fuse(order, roots, cpu_rules());
  debug_compiled(roots, kernels);  // EMBER_DEBUG
  for (const KernelDesc& k : kernels) {
    Node* failed = nullptr;
    try {
      run(k, failed);
    } catch (...) {
      if (!failed) failed = k.produced().back();
      auto it = std::find(order.begin(), order.end(), failed);
      roll_back_writes(order, it == order.end() ? 0 : static_cast<size_t>(it - order.begin()));
      rethrow_current(*failed);
    }
  }
}

}  // namespace ember
