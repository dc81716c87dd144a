#include "ember/graph/plan_cache.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "ember/graph/eval.h"
#include "ember/graph/kernel.h"
#include "ember/graph/node_map.h"
#include "ember/graph/observe.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/graph/trace.h"
#include "ember/runtime/env.h"
#include "ember/runtime/profiler.h"
#include "ember/runtime/thread_pool.h"

namespace ember {
namespace {

// ---- the key ----
//
// Everything a plan may depend on, as words: per scheduled node (inputs first) its op, kind, dtype,
// shape, device, parameters (scalars bit for bit) and input slots (an earlier node by position, or
// a leaf by its first-seen number: the identity pattern of the leaves); per leaf its op, kind,
// type, layout, memory (read-only, ember's own or lent, shared with which earlier leaf) and, for
// one-element leaves, its value (passes fold and simplify by value); which nodes something outside
// the schedule holds (they must be stored); the roots; and the switches the plan was made under.

enum : uint64_t { kNodeTag = uint64_t{1} << 32, kLeafTag = uint64_t{2} << 32 };
constexpr uint64_t kInputNode = uint64_t{1} << 62, kInputLeaf = uint64_t{2} << 62;

bool default_params(const Params& p) {
  return p.axes.empty() && p.ints.empty() && !p.flag && p.offset == 0 && p.strides.empty() && p.scalars.empty() &&
         p.dtype == DType::Float64 && !p.blob;
}

void put_params(std::vector<uint64_t>& w, const Params& p) {
  w.push_back(p.axes.size() | p.ints.size() << 16 | p.strides.size() << 32 | p.scalars.size() << 48);
  w.push_back(static_cast<uint64_t>(p.flag) | static_cast<uint64_t>(p.dtype) << 8);
  w.push_back(static_cast<uint64_t>(p.offset));
  for (int64_t v : p.axes) w.push_back(static_cast<uint64_t>(v));
  for (int64_t v : p.ints) w.push_back(static_cast<uint64_t>(v));
  for (int64_t v : p.strides) w.push_back(static_cast<uint64_t>(v));
  for (const Scalar& s : p.scalars) {
    uint64_t bytes[2] = {0, 0};
    std::visit([&](auto v) { std::memcpy(bytes, &v, sizeof v); }, s.value);
    w.push_back(s.value.index());
    w.push_back(bytes[0]);
    w.push_back(bytes[1]);
  }
}

// One word for the common case (kind, dtype, device, rank, the op name's length, whether there
// are parameters, the input count), the op name's address, the shape, then what did not fit.
void put_header(std::vector<uint64_t>& w, uint64_t tag, const Node& n) {
  const uint64_t ndim = n.shape.size(), len = n.op.size(), nin = n.inputs.size();
  const bool params = !default_params(n.params);
  w.push_back(tag | static_cast<uint64_t>(n.kind) | static_cast<uint64_t>(n.dtype) << 8 |
              static_cast<uint64_t>(n.device) << 16 | std::min<uint64_t>(ndim, 255) << 24 |
              std::min<uint64_t>(len, 255) << 40 | std::min<uint64_t>(nin, 0x7FFF) << 48 |
              static_cast<uint64_t>(params) << 63);
  // Op names are static strings: the same address and length is the same name (two addresses of
  // one name only cost a miss).
  w.push_back(reinterpret_cast<uintptr_t>(n.op.data()));
  if (ndim >= 255) w.push_back(ndim);
  if (len >= 255) w.push_back(len);
  if (nin >= 0x7FFF) w.push_back(nin);
  for (int64_t d : n.shape) w.push_back(static_cast<uint64_t>(d));
  if (params) put_params(w, n.params);
}

// What the cache can replay: pure cpu computations. Writes (a new storage version, which may take
// over a buffer), random draws (a generator state in `blob`), opaque calls, collectives, control
// flow and parameters are left to the ordinary path.
bool replayable(const Node& n) {
  return (n.kind == Kind::Elementwise || n.kind == Kind::Reduction || n.kind == Kind::View) &&
         n.device == DeviceType::CPU && !n.params.blob && n.results.empty() && !is_write(n);
}

bool usable_leaf(const Node& n) {
  return n.evaluated && n.device == DeviceType::CPU && !n.params.blob && n.results.empty() &&
         (!n.data.buffer || !n.data.buffer->device);
}

struct Key {
  std::vector<uint64_t> words;
  size_t hash = 0;
  std::vector<Node*> leaves;  // in first-seen order
  std::vector<int> outputs;   // positions that must be stored: the roots (in order), then held nodes
};

// The key of `order` (a schedule of `roots`), or false if the graph is not replayable.
bool make_key(const std::vector<Node*>& order, const std::vector<NodePtr>& roots, Key& key) {
  const int n = static_cast<int>(order.size());
  std::vector<uint64_t>& w = key.words;
  w.reserve(static_cast<size_t>(n) * 6 + 16);
  w.push_back(static_cast<uint64_t>(runtime::num_threads()) | static_cast<uint64_t>(concurrent_kernels()) << 32 |
              static_cast<uint64_t>(graph_passes_enabled()) << 33);
  FlatMap<const Node*, int> pos(order.size()), leaf_of(8);
  FlatMap<const Buffer*, int> buffer_of(8);
  std::vector<int> refs(n, 0);
  std::vector<const NodePtr*> slot_of(n, nullptr);  // one reader's slot, for the use count
  for (int i = 0; i < n; ++i) {
    const Node& x = *order[i];
    if (!replayable(x)) return false;
    put_header(w, kNodeTag, x);
    for (const NodePtr& in : x.inputs) {
      if (const int* p = pos.find(in.get())) {
        ++refs[*p];
        slot_of[*p] = &in;
        w.push_back(kInputNode | static_cast<uint64_t>(*p));
        continue;
      }
      auto [idx, fresh] = leaf_of.insert(in.get(), static_cast<int>(key.leaves.size()));
      w.push_back(kInputLeaf | static_cast<uint64_t>(*idx));
      if (!fresh) continue;
      const Node& leaf = *in;
      if (!usable_leaf(leaf)) return false;
      key.leaves.push_back(in.get());
      put_header(w, kLeafTag, leaf);
      const Data& d = leaf.data;
      const Buffer* b = d.buffer.get();
      w.push_back(static_cast<uint64_t>(d.offset));
      w.push_back(d.strides.size());
      for (int64_t s : d.strides) w.push_back(static_cast<uint64_t>(s));
      if (!b) {
        w.push_back(0);
        continue;
      }
      // Buffers shared between leaves (views of one storage, one array passed twice), by the
      // first leaf over each.
      auto [shared, first] = buffer_of.insert(b, static_cast<int>(key.leaves.size()));
      w.push_back(1 | static_cast<uint64_t>(b->readonly) << 1 | static_cast<uint64_t>(b->own()) << 2 |
                  static_cast<uint64_t>(b->data() == nullptr) << 3 | static_cast<uint64_t>(*shared) << 8);
      if (leaf.size() == 1 && b->data()) {
        const size_t item = static_cast<size_t>(itemsize(leaf.dtype));
        uint64_t bytes[2] = {0, 0};
        std::memcpy(bytes, d.byte_ptr(static_cast<int>(item)), std::min(item, sizeof bytes));
        w.push_back(bytes[0]);
        w.push_back(bytes[1]);
      }
    }
    pos.insert(order[i], i);
  }
  // Roots, then the nodes held from outside the schedule (a user's array, another graph): both are
  // stored, so both shape the plan.
  std::vector<char> out(n, 0);
  w.push_back(roots.size());
  for (const NodePtr& r : roots) {
    const int* p = pos.find(r.get());
    w.push_back(p ? static_cast<uint64_t>(*p) : ~uint64_t{0});
    if (p && !out[*p]) out[*p] = 1, key.outputs.push_back(*p);
  }
  for (int i = 0; i < n; ++i) {
    const bool held = !out[i] && slot_of[i] && slot_of[i]->use_count() > refs[i];
    if (held) key.outputs.push_back(i);
    if ((i & 63) == 0) w.push_back(0);
    w.back() |= static_cast<uint64_t>(held) << (i & 63);
  }
  uint64_t h = 0x9E3779B97F4A7C15ull ^ w.size();
  for (uint64_t v : w) h = (h ^ v) * 0xff51afd7ed558ccdull, h ^= h >> 29;
  key.hash = static_cast<size_t>(h);
  return true;
}

// ---- a kept plan ----

struct Entry {
  std::vector<uint64_t> words;
  bool usable = false;               // false: graphs with this key take the ordinary path
  std::vector<NodePtr> slots;        // the leaves' stand-ins, bound to each run's leaves
  std::vector<NodePtr> outputs;      // the stored nodes of the private graph (they hold all of it)
  std::vector<int> out_pos;          // their positions in the user's schedule
  std::vector<KernelDesc> kernels;   // passed and fused once
  std::vector<std::vector<Node*>> release_after;  // per Kernel: values nothing later reads
  std::vector<Node*> produced;       // what the Kernels compute (reset after each run)
  bool busy = false;                 // being run (one run at a time; others take the ordinary path)

  // Back to the state between runs: no caller buffers, no intermediates.
  void reset() {
    for (Node* p : produced) {
      p->evaluated = false;
      p->data = {};
    }
    for (auto& s : slots) s->data = {};
  }
};

// A private copy of the user's graph over stand-ins of its leaves, passed and fused as eval would
// (the stand-ins carry the leaves' data while that runs, so the passes see the same constants and
// layouts). Only the outputs hold the copy while it is fused: fusion and the passes tell held nodes
// by use counts, and the held ones here are exactly the stored ones of the user's graph.
std::shared_ptr<Entry> build(const std::vector<Node*>& order, const Key& key) {
  auto e = std::make_shared<Entry>();
  e->words = key.words;
  const int n = static_cast<int>(order.size());
  FlatMap<const Node*, int> pos(order.size()), leaf_of(key.leaves.size());
  for (size_t i = 0; i < key.leaves.size(); ++i) {
    const Node& leaf = *key.leaves[i];
    NodePtr s = copy_header(leaf);
    s->data = leaf.data;
    s->evaluated = true;
    leaf_of.insert(&leaf, static_cast<int>(i));
    e->slots.push_back(std::move(s));
  }
  std::vector<NodePtr> copies(n);
  for (int i = 0; i < n; ++i) {
    const Node& x = *order[i];
    NodePtr c = copy_header(x);
    int depth = 0;
    c->inputs.reserve(x.inputs.size());
    for (const NodePtr& in : x.inputs) {
      if (const int* p = pos.find(in.get())) {
        depth = std::max(depth, copies[*p]->depth);
        c->inputs.push_back(copies[*p]);
      } else {
        c->inputs.push_back(e->slots[*leaf_of.find(in.get())]);
      }
    }
    c->depth = depth + 1;
    pos.insert(order[i], i);
    copies[i] = std::move(c);
  }
  e->out_pos = key.outputs;
  for (int p : key.outputs) e->outputs.push_back(copies[p]);
  copies.clear();
  std::vector<Node*> corder = schedule_unevaluated(e->outputs);
  e->kernels = compile_kernels(corder, e->outputs);
  e->usable = kernels_run_one_by_one(e->kernels);
  // Every stored value must come out of a Kernel (or be folded to a constant now, once: its inputs
  // are one-element leaves whose values the key holds).
  std::unordered_set<const Node*> made;
  for (const KernelDesc& k : e->kernels) k.each_produced([&](Node* p) { made.insert(p), e->produced.push_back(p); });
  for (auto& o : e->outputs) e->usable = e->usable && (o->evaluated || made.count(o.get()));
  // Free each intermediate after the last Kernel that reads it, as a run of eval does.
  std::unordered_map<const Node*, size_t> last_read;
  for (size_t i = 0; i < e->kernels.size(); ++i) {
    const KernelDesc& k = e->kernels[i];
    if (k.single)
      for (auto& in : k.single->inputs) last_read[in.get()] = i;
    for (const Node* in : k.inputs) last_read[in] = i;
  }
  std::unordered_set<const Node*> kept;
  for (auto& o : e->outputs) kept.insert(o.get());
  e->release_after.resize(e->kernels.size());
  for (Node* p : e->produced)
    if (auto it = last_read.find(p); it != last_read.end() && !kept.count(p)) e->release_after[it->second].push_back(p);
  e->reset();
  return e;
}

// Runs the kept plan on this evaluation's leaves and hands the stored values to the user's nodes.
// On failure the plan is reset and the user's graph untouched: the caller's ordinary run raises
// the error, naming the op and the line where the user created it.
bool replay(Entry& e, const std::vector<Node*>& order, const std::vector<Node*>& leaves) {
  for (size_t i = 0; i < leaves.size(); ++i) e.slots[i]->data = leaves[i]->data;
  try {
    for (size_t i = 0; i < e.kernels.size(); ++i) {
      run_kernel_keep_inputs(e.kernels[i]);
      for (Node* p : e.release_after[i]) p->data = {};
    }
  } catch (...) {
    e.reset();
    return false;
  }
  for (size_t j = 0; j < e.outputs.size(); ++j) order[e.out_pos[j]]->data = e.outputs[j]->data;
  std::atomic_thread_fence(std::memory_order_release);  // data is written before `evaluated` is seen
  for (int p : e.out_pos) {
    order[p]->evaluated = true;
    order[p]->depth = 0;
  }
  e.reset();
  for (int p : e.out_pos) {  // frees the user's graph behind them, as eval does
    order[p]->inputs.clear();
    order[p]->inputs.shrink_to_fit();
  }
  return true;
}

// ---- the table ----

constexpr size_t kMaxEntries = 64;    // kept plans; the oldest goes first
constexpr size_t kMaxSeen = 1 << 12;  // keys seen once, remembered (forgotten all at once when full)

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::shared_ptr<Entry>> entries;
  std::deque<size_t> age;  // entry hashes, oldest first
  std::unordered_set<size_t> seen;
  std::atomic<bool> enabled{env_switch_on("EMBER_PLAN_CACHE")};
  std::atomic<int64_t> hits{0}, misses{0}, bypasses{0};
};

Cache& cache() {
  static Cache* c = new Cache;  // never freed: kept plans must not die after the runtime at exit
  return *c;
}

}  // namespace

bool plan_cache_eval(const std::vector<Node*>& order, const std::vector<NodePtr>& roots) {
  Cache& c = cache();
  if (order.empty()) return false;
  // Profiles, traces and EMBER_DEBUG listings name the user's lines and show each compiled plan:
  // with them on, every evaluation takes the ordinary path.
  if (!c.enabled.load(std::memory_order_relaxed) || tracing() || runtime::observing() || debug_level() > 0) {
    c.bypasses.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  Key key;
  if (!make_key(order, roots, key)) {
    c.bypasses.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.entries.find(key.hash);
    if (it != c.entries.end()) {
      if (it->second->words != key.words) {  // another key with the same hash
        c.misses.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      if (!it->second->usable || it->second->busy) {
        c.bypasses.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      e = it->second;
      e->busy = true;
    } else if (!c.seen.count(key.hash)) {  // first sight: plans for one-off graphs are not worth keeping
      if (c.seen.size() >= kMaxSeen) c.seen.clear();
      c.seen.insert(key.hash);
      c.misses.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  }
  if (!e) {  // second sight: make the plan (outside the lock: it runs the graph passes)
    try {
      e = build(order, key);
    } catch (...) {
      c.misses.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    std::lock_guard<std::mutex> lock(c.mu);
    auto [it, fresh] = c.entries.emplace(key.hash, e);
    if (fresh) {
      c.age.push_back(key.hash);
      while (c.entries.size() > kMaxEntries) {
        c.entries.erase(c.age.front());
        c.age.pop_front();
      }
    }
    c.misses.fetch_add(1, std::memory_order_relaxed);
    if (!fresh || !e->usable) return false;  // (another thread's plan won: this run goes the ordinary way)
    e->busy = true;
  } else {
    c.hits.fetch_add(1, std::memory_order_relaxed);
  }
  bool ok = replay(*e, order, key.leaves);
  std::lock_guard<std::mutex> lock(c.mu);
  e->busy = false;
  return ok;
}

PlanCacheInfo plan_cache_info() {
  Cache& c = cache();
  PlanCacheInfo info;
  info.hits = c.hits.load();
  info.misses = c.misses.load();
  info.bypasses = c.bypasses.load();
  info.enabled = c.enabled.load();
  std::lock_guard<std::mutex> lock(c.mu);
  info.entries = static_cast<int64_t>(c.entries.size());
  return info;
}

void plan_cache_clear() {
  Cache& c = cache();
  std::unordered_map<size_t, std::shared_ptr<Entry>> dropped;  // freed outside the lock
  {
    std::lock_guard<std::mutex> lock(c.mu);
    dropped.swap(c.entries);
    c.age.clear();
    c.seen.clear();
    c.hits = 0;
    c.misses = 0;
    c.bypasses = 0;
  }
}

void set_plan_cache_enabled(bool on) { cache().enabled.store(on); }
bool plan_cache_enabled() { return cache().enabled.load(); }

}  // namespace ember
