#include "ember/graph/passes/graph_passes.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ember/graph/passes/cse.h"
#include "ember/graph/passes/gemv_operands.h"
#include "ember/graph/passes/simplify.h"
#include "ember/runtime/allocator.h"

namespace ember {
namespace {

std::atomic<int> g_enabled{-1};  // -1: not yet read from the environment

// Equal one-element constants (each Python scalar is its own leaf) become one node, so that
// `a * 2 + a * 2` has two equal products for CSE to find.
std::string constant_key(const Node& n, const std::byte* element) {
  std::string key(reinterpret_cast<const char*>(element), static_cast<size_t>(itemsize(n.dtype)));
  key += static_cast<char>(n.dtype);
  key += static_cast<char>(n.device);
  key += shape_str(n.shape);
  return key;
}

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
  return pure || x.data.buffer->readonly || x.size() == 0 || runtime::owns(x.data.buffer->data());
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
    const char* env = std::getenv("EMBER_GRAPH_PASSES");
    v = env && std::string_view(env) == "0" ? 0 : 1;
    g_enabled.store(v);
  }
  return v == 1;
}

void run_graph_passes(std::vector<Node*>& order, const std::vector<NodePtr>& roots) {
  if (order.empty() || !graph_passes_enabled()) return;
  const int count = static_cast<int>(order.size());
  std::unordered_map<const Node*, int> pos;
  pos.reserve(order.size() * 2);
  for (int i = 0; i < count; ++i) pos.emplace(order[i], i);
  const PassScope scope{&pos};

  // Who holds each node: the scheduled readers' slots (refs), and anything else (a user's array,
  // a node outside the schedule), seen as use counts beyond those slots — as fusion's must_store.
  std::vector<int> refs(count, 0);
  std::vector<long> holders(count, 0);
  std::vector<NodePtr> own(count);  // an owning pointer to each node (taken after its use count)
  for (Node* n : order)
    for (auto& in : n->inputs) {
      auto it = pos.find(in.get());
      if (it == pos.end()) continue;
      int j = it->second;
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
        if (auto it = pos.find(in.get()); it != pos.end()) pure[it->second] = 0;
  std::vector<char> held(count, 0);
  for (int j = 0; j < count; ++j) held[j] = holders[j] > refs[j];
  for (auto& r : roots) {
    auto it = pos.find(r.get());
    if (it == pos.end()) continue;
    held[it->second] = 1;
    if (!own[it->second]) own[it->second] = r;
  }

  std::unordered_map<const Node*, NodePtr> replaced;  // node -> what its readers read instead
  std::unordered_map<std::string, NodePtr> constants;
  std::vector<NodePtr> graveyard;  // replaced nodes stay alive until the pass ends (see below)
  CseTable cse;
  for (int i = 0; i < count; ++i) {
    Node* n = order[i];
    for (NodePtr& in : n->inputs) {
      if (auto it = replaced.find(in.get()); it != replaced.end()) {
        graveyard.push_back(std::move(in));
        in = it->second;
      } else if (const std::byte* c = cse_candidate(*n) ? scope.constant_element(*in) : nullptr) {
        // (only for pure readers, which never write into an input)
        auto [known, fresh] = constants.emplace(constant_key(*in, c), in);
        if (!fresh && known->second != in) {
          graveyard.push_back(std::move(in));
          in = known->second;
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
    const NodePtr& same = own[pos.at(first)];
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
    if (auto it = pos.find(r.get()); it != pos.end()) live[it->second] = 1;
  for (int i = count - 1; i >= 0; --i) {
    if (!live[i]) continue;
    for (auto& in : order[i]->inputs)
      if (auto it = pos.find(in.get()); it != pos.end()) live[it->second] = 1;
  }
  int kept = 0;
  for (int i = 0; i < count; ++i)
    if (live[i]) order[kept++] = order[i];
  order.resize(kept);
  contiguous_gemv_operands(order);
  // Only now may replaced nodes be freed: nothing above allocated a node at a freed node's address,
  // which a caller still holding the old schedule (a compiled program) could mistake for it.
}

}  // namespace ember
