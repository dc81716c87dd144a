#include "ember/graph/passes/view_pushdown.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ember {
namespace {

// A strided window into a value read as row-major storage (what an as_strided node reads): its
// element j is the storage element `offset + Σ j_d·strides_d`.
struct Window {
  int64_t offset = 0;
  Strides strides;
  Shape shape;
  bool operator==(const Window& o) const { return offset == o.offset && strides == o.strides && shape == o.shape; }
};

// Whether no two elements of `w` are one storage element. Sufficient test: sorted by size, each
// stride steps past everything the smaller ones reach (slices, transposes, reshapes pass; a
// broadcast or an overlapping window does not).
bool one_to_one(const Window& w) {
  if (shape_size(w.shape) == 0) return true;
  std::vector<std::pair<int64_t, int64_t>> axes;  // |stride|, extent
  for (size_t d = 0; d < w.shape.size(); ++d)
    if (w.shape[d] > 1) axes.emplace_back(std::llabs(w.strides[d]), w.shape[d]);
  std::sort(axes.begin(), axes.end());
  int64_t reach = 0;
  for (auto [s, n] : axes) {
    if (s <= reach) return false;
    reach += s * (n - 1);
  }
  return true;
}

// A window over a row-major value of shape `src` as an index map: element j of the window is the
// element `start + Σ_d j_d·step_d` along axis `axis_d` of `src` (-1: that window axis does not move).
struct IndexMap {
  std::vector<int64_t> start;  // per axis of src
  std::vector<int> axis;       // per axis of the window
  std::vector<int64_t> step;
};

// The index map of `w`, when each window axis walks a single axis of `src` and stays inside it
// (slices, transposes, expand_dims, splitting reshapes). Merging reshapes have none.
std::optional<IndexMap> index_map(const Shape& src, const Window& w) {
  const size_t m = src.size(), n = w.shape.size();
  IndexMap map{std::vector<int64_t>(m, 0), std::vector<int>(n, -1), std::vector<int64_t>(n, 0)};
  if (shape_size(w.shape) == 0) return map;  // reads nothing
  if (w.offset < 0 || w.offset >= shape_size(src)) return std::nullopt;
  const Strides c = contiguous_strides(src);
  int64_t rem = w.offset;
  for (size_t k = 0; k < m; ++k) {
    map.start[k] = rem / c[k];
    rem %= c[k];
  }
  std::vector<int64_t> lo = map.start, hi = map.start;
  for (size_t d = 0; d < n; ++d) {
    const int64_t s = w.strides[d];
    if (w.shape[d] == 1 || s == 0) continue;
    int k = -1;
    for (size_t a = 0; a < m && k < 0; ++a)
      if (src[a] > 1 && s % c[a] == 0) k = static_cast<int>(a);
    if (k < 0) return std::nullopt;
    map.axis[d] = k;
    map.step[d] = s / c[k];
    (map.step[d] > 0 ? hi : lo)[k] += map.step[d] * (w.shape[d] - 1);
  }
  for (size_t k = 0; k < m; ++k)
    if (lo[k] < 0 || hi[k] >= src[k]) return std::nullopt;
  return map;
}

// The window of an input's storage that a producer's window `w` reads. The producer has shape
// `src` (and `map`, w's index map, if any); the input has shape `in` (broadcast to `src`) and its
// element u is the storage element `offset + Σ u·strides`. Null when no strided window does it.
std::optional<Window> through(const Shape& src, const std::optional<IndexMap>& map, const Window& w, const Shape& in,
                              int64_t offset, const Strides& strides) {
  const Strides b = broadcast_strides(in, strides, src);
  Window out{offset, Strides(w.shape.size(), 0), w.shape};
  if (map) {
    for (size_t k = 0; k < src.size(); ++k) out.offset += map->start[k] * b[k];
    for (size_t d = 0; d < w.shape.size(); ++d)
      if (map->axis[d] >= 0) out.strides[d] = map->step[d] * b[map->axis[d]];
    return out;
  }
  // A window across axes (a merging reshape) is followed only by an input that walks the
  // producer's elements in row-major order at one pace: b = κ·c.
  const Strides c = contiguous_strides(src);
  std::optional<int64_t> kappa;
  for (size_t k = 0; k < src.size(); ++k) {
    if (src[k] == 1) continue;
    if (b[k] % c[k] != 0 || (kappa && *kappa != b[k] / c[k])) return std::nullopt;
    kappa = b[k] / c[k];
  }
  const int64_t q = kappa.value_or(0);
  out.offset += q * w.offset;
  for (size_t d = 0; d < w.shape.size(); ++d) out.strides[d] = q * w.strides[d];
  return out;
}

// Integer `**` raises on a negative exponent (as NumPy): computing only the elements read would
// hide an error NumPy reports, so it is computed in full.
bool may_raise(const Node& n) { return n.op == "pow" && is_integer(n.dtype); }

bool pushable(const Node& n) {
  return n.kind == Kind::Elementwise && !n.inputs.empty() && n.device == DeviceType::CPU && !n.evaluated &&
         n.writes.expired() && !n.params.blob && !may_raise(n);
}

bool is_view(const Node& n) { return n.kind == Kind::View && n.op == "as_strided" && n.inputs.size() == 1; }

// An evaluated cpu node whose storage a new view may read (a compiled program's parameters have no
// data yet: a view of one would hold the caller's buffer after the run, so they are left alone).
bool readable_base(const Node& n) {
  if (!n.evaluated || n.device != DeviceType::CPU) return false;
  std::atomic_thread_fence(std::memory_order_acquire);  // pairs with the release in eval's run()
  return (n.data.buffer || n.size() == 0) && n.data.strides.size() == n.shape.size();
}

// A scheduled node whose value is computed in full anyway (a reduction, an opaque call or write, a
// held elementwise result) and comes out row-major, so a new view may read it.
bool viewable_result(const Node& n) {
  return n.device == DeviceType::CPU &&
         (n.kind == Kind::Elementwise || n.kind == Kind::Reduction || n.kind == Kind::Opaque);
}

class Pushdown {
 public:
  Pushdown(std::vector<Node*>& order, const std::vector<NodePtr>& roots, std::vector<NodePtr>& graveyard)
      : order_(order), roots_list_(roots), graveyard_(graveyard) {
    for (Node* n : order) refs_.emplace(n, 0);
    for (Node* n : order)
      for (auto& in : n->inputs)
        if (auto it = refs_.find(in.get()); it != refs_.end()) ++it->second;
    for (auto& r : roots) roots_.insert(r.get());
  }

  void run() {
    const std::vector<Node*> snapshot = order_;
    for (Node* v : snapshot)
      if (!dead_.count(v) && is_view(*v) && v->device == DeviceType::CPU && scheduled(v->inputs[0].get()) &&
          pushable(*v->inputs[0]))
        try_push(v);
    if (fresh_.empty() && dead_.empty()) return;
    // Keep what the roots still reach: a node cut off here may live on a little (held by a node an
    // earlier pass replaced, in the graveyard) but must leave the schedule.
    std::unordered_set<const Node*> live;
    std::vector<const Node*> stack;
    for (const NodePtr& r : roots_list_)
      if (scheduled(r.get()) && live.insert(r.get()).second) stack.push_back(r.get());
    while (!stack.empty()) {
      const Node* n = stack.back();
      stack.pop_back();
      for (auto& in : n->inputs)
        if (scheduled(in.get()) && live.insert(in.get()).second) stack.push_back(in.get());
    }
    std::vector<Node*> out;
    out.reserve(order_.size() + fresh_.size());
    // A new view goes just before its first reader: after what it reads, which that reader read before.
    std::unordered_set<const Node*> placed;
    for (Node* n : order_) {
      if (!live.count(n)) continue;
      for (auto& in : n->inputs)
        if (fresh_.count(in.get()) && live.count(in.get()) && placed.insert(in.get()).second) out.push_back(in.get());
      out.push_back(n);
    }
    order_.swap(out);
  }

 private:
  enum class Take : uint8_t { Keep, Inner, ViewInput, NewView };
  struct Slot {
    Take take = Take::Keep;
    Window w;  // Inner: the window the input computes; ViewInput: of the view's base; NewView: of the input
  };
  // One attempt's plan: the elementwise nodes to rewrite (the producer first) and their slots.
  struct Region {
    std::unordered_map<Node*, Window> nodes;
    std::unordered_map<Node*, std::vector<Slot>> slots;
    std::unordered_map<Node*, std::pair<int, long>> readers;  // scheduled input: (slots in the region, use count)
    std::unordered_map<Node*, std::vector<Window>> views;     // scheduled view input: the windows wanted
  };

  bool scheduled(const Node* n) const { return refs_.count(n) > 0; }

  // Whether nothing but `r` (region slots) reads or holds scheduled node `n`.
  bool exclusive(Node* n, const std::pair<int, long>& r) const {
    return !roots_.count(n) && r.first == refs_.at(n) && r.second == refs_.at(n);
  }

  // Plans `x` (an elementwise node) computing only window `w` of its value; false if the rules
  // forbid it anywhere below.
  bool explore(Region& g, Node* x, const Window& w) {
    if (!one_to_one(w)) return false;  // would compute an element twice
    auto [it, fresh] = g.nodes.emplace(x, w);
    if (!fresh) return it->second == w;
    const std::optional<IndexMap> map = index_map(x->shape, w);
    std::vector<Slot> plan;
    plan.reserve(x->inputs.size());
    for (const NodePtr& in : x->inputs) {
      Node* i = in.get();
      if (i->size() == 1 && i->ndim() <= static_cast<int>(w.shape.size())) {  // broadcasts as before
        plan.push_back({Take::Keep, {}});
        continue;
      }
      if (i->device != DeviceType::CPU) return false;
      std::optional<Window> iw;
      if (scheduled(i)) {
        const bool held = roots_.count(i) || in.use_count() > refs_.at(i);
        if (is_view(*i) || (pushable(*i) && !held)) {
          auto& r = g.readers[i];
          ++r.first;
          r.second = in.use_count();
        }
        if (pushable(*i) && !held) {
          iw = through(x->shape, map, w, i->shape, 0, contiguous_strides(i->shape));
          if (!iw || !explore(g, i, *iw)) return false;
          plan.push_back({Take::Inner, *iw});
        } else if (is_view(*i)) {
          iw = through(x->shape, map, w, i->shape, i->params.offset, i->params.strides);
          if (!iw) return false;
          g.views[i].push_back(*iw);
          plan.push_back({Take::ViewInput, *iw});
        } else if (viewable_result(*i)) {  // computed in full anyway: read through a new view
          iw = through(x->shape, map, w, i->shape, 0, contiguous_strides(i->shape));
          if (!iw) return false;
          plan.push_back({Take::NewView, *iw});
        } else {
          return false;  // control flow, collectives, parameters
        }
      } else if (readable_base(*i)) {
        iw = through(x->shape, map, w, i->shape, 0, i->data.strides);
        if (!iw) return false;
        plan.push_back({Take::NewView, *iw});
      } else {
        return false;  // being computed by an earlier asynchronous job
      }
    }
    g.slots.emplace(x, std::move(plan));
    return true;
  }

  NodePtr new_view(const NodePtr& base, const Window& w, const Node& reader) {
    auto& made = made_[base.get()];
    for (auto& [win, node] : made)
      if (win == w) return node;
    auto n = std::make_shared<Node>();
    n->op = "as_strided";
    n->kind = Kind::View;
    n->dtype = base->dtype;
    n->shape = w.shape;
    n->device = base->device;
    n->params.offset = w.offset;
    n->params.strides = w.strides;
    n->inputs = {base};
    n->origin = reader.origin;
    n->depth = 1;
    made.emplace_back(w, n);
    fresh_.insert(n.get());
    refs_.emplace(n.get(), 0);
    return n;
  }

  void try_push(Node* v) {
    const NodePtr& p = v->inputs[0];
    if (roots_.count(p.get()) || refs_.at(p.get()) != 1 || p.use_count() != 1) return;  // someone needs all of it
    Region g;
    if (!explore(g, p.get(), Window{v->params.offset, v->params.strides, v->shape})) return;
    for (auto& [n, r] : g.readers)
      if (g.nodes.count(n) && !exclusive(n, r)) return;
    std::unordered_set<Node*> in_place;  // views rewritten to their new window
    for (auto& [u, wins] : g.views) {
      bool same = std::all_of(wins.begin(), wins.end(), [&](const Window& w) { return w == wins[0]; });
      if (same && exclusive(u, g.readers.at(u))) in_place.insert(u);
      else if (Node* base = u->inputs[0].get();
               scheduled(base) ? base->kind != Kind::View && viewable_result(*base) : readable_base(*base))
        continue;
      else return;
    }

    // The plan holds: build every new input list first (from the old inputs), then rewrite.
    made_.clear();
    std::vector<std::pair<Node*, std::vector<NodePtr>>> rewrites;
    for (auto& [x, plan] : g.slots) {
      std::vector<NodePtr> inputs;
      inputs.reserve(plan.size());
      for (size_t s = 0; s < plan.size(); ++s) {
        const NodePtr& in = x->inputs[s];
        const Slot& slot = plan[s];
        if (slot.take == Take::NewView) inputs.push_back(new_view(in, slot.w, *x));
        else if (slot.take == Take::ViewInput && !in_place.count(in.get()))
          inputs.push_back(new_view(in->inputs[0], slot.w, *x));
        else inputs.push_back(in);
      }
      rewrites.emplace_back(x == p.get() ? v : x, std::move(inputs));
    }
    for (Node* u : in_place) {
      const Window& w = g.views.at(u).front();
      u->params.offset = w.offset;
      u->params.strides = w.strides;
      u->shape = w.shape;
    }
    Node* producer = p.get();
    std::vector<NodePtr> dropped;
    for (auto& [x, inputs] : rewrites) {
      if (x == v) {  // the view becomes the producer's op over the new inputs
        v->op = producer->op;
        v->kind = producer->kind;
        v->params = producer->params;
        v->origin = producer->origin;
      } else {
        x->shape = g.nodes.at(x).shape;
      }
      for (auto& in : x->inputs) {
        if (auto it = refs_.find(in.get()); it != refs_.end()) --it->second;
        dropped.push_back(std::move(in));
      }
      for (auto& in : inputs)
        if (auto it = refs_.find(in.get()); it != refs_.end()) ++it->second;
      x->inputs = std::move(inputs);
    }
    made_.clear();  // (its pointers would count as holders in the next attempt)
    bury(std::move(dropped));
  }

  // Nodes only `dropped` holds are dead: they leave the schedule (kept alive in the graveyard, their
  // inputs released in turn). A node listed twice is seen alive until its last copy.
  void bury(std::vector<NodePtr> dropped) {
    while (!dropped.empty()) {
      NodePtr n = std::move(dropped.back());
      dropped.pop_back();
      if (n.use_count() > 1) continue;
      if (auto it = refs_.find(n.get()); it != refs_.end()) {
        refs_.erase(it);
        dead_.insert(n.get());
        for (auto& in : n->inputs) {
          if (auto r = refs_.find(in.get()); r != refs_.end()) --r->second;
          dropped.push_back(std::move(in));
        }
        n->inputs.clear();
      }
      graveyard_.push_back(std::move(n));
    }
  }

  std::vector<Node*>& order_;
  const std::vector<NodePtr>& roots_list_;
  std::vector<NodePtr>& graveyard_;
  std::unordered_map<const Node*, int> refs_;  // every scheduled node: input slots of scheduled nodes reading it
  std::unordered_set<const Node*> roots_;
  std::unordered_set<const Node*> dead_;
  std::unordered_set<const Node*> fresh_;  // new view nodes
  std::unordered_map<const Node*, std::vector<std::pair<Window, NodePtr>>> made_;  // this attempt's new views
};

// Cheap test first: most schedules have no view of an unevaluated elementwise node.
bool any_candidate(const std::vector<Node*>& order) {
  for (const Node* n : order)
    if (is_view(*n) && n->device == DeviceType::CPU && !n->inputs[0]->evaluated && pushable(*n->inputs[0])) return true;
  return false;
}

}  // namespace

void push_views_down(std::vector<Node*>& order, const std::vector<NodePtr>& roots, std::vector<NodePtr>& graveyard) {
  if (!any_candidate(order)) return;
  Pushdown(order, roots, graveyard).run();
}

}  // namespace ember
