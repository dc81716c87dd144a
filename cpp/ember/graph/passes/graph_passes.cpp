#include "ember/graph/passes/graph_passes.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ember/graph/node_map.h"
#include "ember/graph/passes/cse.h"
#include "ember/graph/passes/gemv_operands.h"
#include "ember/graph/passes/simplify.h"
#include "ember/graph/passes/view_pushdown.h"
#include "ember/runtime/env.h"

namespace ember {
namespace {

std::atomic<int> g_enabled{-1};  // -1: not yet read from the environment

// Equal one-element constants (each Python scalar is its own leaf) become one node, so that
// `a * 2 + a * 2` has two equal products for CSE to find. Kept in a flat table by a hash of the
// element, dtype, device and shape (odd: FlatMap's keys are never 0), checked on a hit.
class Constants {
 public:
  // The first constant equal to `n` (whose one element is at `element`), or `n` itself.
  const NodePtr& canonical(const NodePtr& n, const std::byte* element) {
    const size_t item = static_cast<size_t>(itemsize(n->dtype));
    uint64_t bits[2] = {0, 0};  // the element (at most 16 bytes: complex128)
    std::memcpy(bits, element, std::min(item, sizeof bits));
    size_t h = (bits[0] ^ (bits[1] * 0x9E3779B97F4A7C15ull)) * 0xff51afd7ed558ccdull;
    h = h * 31 + static_cast<size_t>(n->dtype) * 7 + static_cast<size_t>(n->device);
    for (int64_t d : n->shape) h = h * 31 + static_cast<size_t>(d);
    h |= 1;
    int found = -1;
    index_.any_of(h, [&](int i) {
      const Node& c = *nodes_[i];
      bool same = c.dtype == n->dtype && c.device == n->device && c.shape == n->shape &&
                  std::memcmp(c.data.byte_ptr(static_cast<int>(item)), element, item) == 0;
      if (same) found = i;
      return same;
    });
    if (found >= 0) return nodes_[found];
    index_.add(h, static_cast<int>(nodes_.size()));
    nodes_.push_back(n);
    return n;
  }

 private:
  FlatMap<size_t, int> index_;
  std::vector<NodePtr> nodes_;
};

// Whether `x` may stand in for `n` in its readers' input slots: the same dtype, shape and device,
// and a layout its readers may treat as they would have treated n's fresh row-major buffer (a view
// reads its input as row-major storage). `pure`: every reader is elementwise, a reduction or a view,
// none of which writes into an input (fused kernels reuse only dying buffers of ember's own). Other
// readers may: a write takes over its old storage version's buffer when nothing else holds it
// (set_view, scatter), so for them the stand-in must be a value of ember's own too: never a view, a
// buffer shared through an opaque call, or memory lent by NumPy.
bool can_replace(const Node& n, const Node& x, bool pure, const PassScope& scope) {
  if (x.dtype != n.dtype || x.shape != n.shape || x.device != n.device) return false;
  if (n.kind == Kind::View) return true;
  if (scope.scheduled(&x))
    return x.kind != Kind::View && (pure || x.kind == Kind::Elementwise || x.kind == Kind::Reduction || x.kind == Kind::Leaf);
  if (!scope.readable(x) || !x.data.buffer) return false;  // being computed elsewhere, or no data yet
  if (x.data.offset != 0 || !is_contiguous(x.shape, x.data.strides)) return false;
  return pure || x.data.buffer->readonly || x.size() == 0 || x.data.buffer->own();
}

// Turns `n` into a copy of `x` (an equal value computed earlier). Its old inputs stay alive to the
// end of the pass, as every node it replaces.
void rewrite_as_copy(Node& n, const NodePtr& x, std::vector<NodePtr>& graveyard) {
  for (auto& in : n.inputs) graveyard.push_back(std::move(in));
  n.op = "copy";
  n.kind = Kind::Elementwise;
  n.params = {};
  n.inputs = {x};
}

bool pure_kind(Kind k) { return k == Kind::Elementwise || k == Kind::Reduction || k == Kind::View; }

}  // namespace

void set_graph_passes_enabled(bool on) { g_enabled.store(on ? 1 : 0); }

bool graph_passes_enabled() {
  int v = g_enabled.load(std::memory_order_relaxed);
  if (v < 0) {
    v = env_switch_on("EMBER_GRAPH_PASSES") ? 1 : 0;
    g_enabled.store(v);
  }
  return v == 1;
}

void run_graph_passes(std::vector<Node*>& order, const std::vector<NodePtr>& roots) {
  if (order.empty() || !graph_passes_enabled()) return;
  const int count = static_cast<int>(order.size());
  FlatMap<const Node*, int> pos(order.size());
  for (int i = 0; i < count; ++i) pos.insert(order[i], i);
  const PassScope scope{&pos};

  // Who holds each node: the scheduled readers' slots (refs), and anything else (a user's array,
  // a node outside the schedule), seen as use counts beyond those slots — as fusion's must_store.
  std::vector<int> refs(count, 0);
  std::vector<long> holders(count, 0);
  std::vector<NodePtr> own(count);  // an owning pointer to each node (taken after its use count)
  for (Node* n : order)
    for (auto& in : n->inputs) {
      const int* at = pos.find(in.get());
      if (!at) continue;
      int j = *at;
      ++refs[j];
      if (!own[j]) {
        holders[j] = in.use_count();
        own[j] = in;
      }
    }
  std::vector<char> pure(count, 1);  // read only by pure kinds (see can_replace)
  for (Node* n : order)
    if (!pure_kind(n->kind))
      for (auto& in : n->inputs)
        if (const int* at = pos.find(in.get())) pure[*at] = 0;
  std::vector<char> held(count, 0);
  for (int j = 0; j < count; ++j) held[j] = holders[j] > refs[j];
  for (auto& r : roots) {
    const int* at = pos.find(r.get());
    if (!at) continue;
    held[*at] = 1;
    if (!own[*at]) own[*at] = r;
  }

  std::unordered_map<const Node*, NodePtr> replaced;  // node -> what its readers read instead
  Constants constants;
  std::vector<NodePtr> graveyard;  // replaced nodes stay alive until the pass ends (see below)
  CseTable cse(order.size());
  for (int i = 0; i < count; ++i) {
    Node* n = order[i];
    for (NodePtr& in : n->inputs) {
      if (auto it = replaced.empty() ? replaced.end() : replaced.find(in.get()); it != replaced.end()) {
        graveyard.push_back(std::move(in));
        in = it->second;
      } else if (const std::byte* c = in->evaluated && cse_candidate(*n) ? scope.constant_element(*in) : nullptr) {
        // (only for pure readers, which never write into an input)
        const NodePtr& known = constants.canonical(in, c);
        if (known != in) {
          NodePtr first = known;
          graveyard.push_back(std::move(in));
          in = std::move(first);
        }
      }
    }
    if (!cse_candidate(*n)) continue;  // opaque calls, collectives, control flow, writes, random
    if (foldable(*n, scope))
      if (NodePtr leaf = fold_constant(*n)) {
        // The node keeps the value as well: one held outside the schedule (a jit plan's captured
        // constant, read by every call) is then computed once instead of folded again each time.
        n->data = leaf->data;
        n->depth = 0;
        std::atomic_thread_fence(std::memory_order_release);
        n->evaluated = true;
        replaced.emplace(n, std::move(leaf));
        continue;
      }
    if (NodePtr x = simplify(*n, scope); x && x->dtype == n->dtype && x->shape == n->shape && x->device == n->device) {
      const bool stand_in = can_replace(*n, *x, pure[i], scope);
      // Where n itself must still be computed (held, or x may not stand in), a copy of x is
      // cheaper than the op, and exact (x**1 of complex through pow would not be).
      if ((held[i] || !stand_in) && n->device == DeviceType::CPU && n->op != "copy") rewrite_as_copy(*n, x, graveyard);
      if (stand_in) replaced.emplace(n, std::move(x));
      continue;
    }
    Node* first = cse.find_or_insert(n);
    if (first == n) continue;
    const NodePtr& same = own[*pos.find(first)];
    if (!same) continue;
    replaced.emplace(n, same);
    // A held duplicate still gets its own value, now a copy of the first one's instead of a
    // recomputation (a view is free to recompute).
    if (held[i] && n->kind != Kind::View && n->device == DeviceType::CPU) rewrite_as_copy(*n, same, graveyard);
  }

  // Dead nodes: the schedule already holds only nodes reachable from the roots; what the rewrites
  // cut off (a replaced node nothing holds, a folded constant's inputs) leaves it now.
  std::vector<char> live(count, 0);
  for (auto& r : roots)
    if (const int* at = pos.find(r.get())) live[*at] = 1;
  for (int i = count - 1; i >= 0; --i) {
    if (!live[i]) continue;
    for (auto& in : order[i]->inputs)
      if (const int* at = pos.find(in.get())) live[*at] = 1;
  }
  int kept = 0;
  for (int i = 0; i < count; ++i)
    if (live[i]) order[kept++] = order[i];
  order.resize(kept);
  // View pushdown tells held nodes by use counts: `own` and `replaced` let go of what others hold
  // (a replacement only `replaced` holds is dead and goes to the graveyard).
  for (int i = 0; i < count; ++i)
    if (live[i]) own[i].reset();
  for (auto& [n, x] : replaced) x.use_count() == 1 ? graveyard.push_back(std::move(x)) : x.reset();
  push_views_down(order, roots, graveyard);
  contiguous_gemv_operands(order);
  // Only now may replaced nodes be freed: nothing above allocated a node at a freed node's address,
  // which a caller still holding the old schedule (a compiled program) could mistake for it.
}

}  // namespace ember
