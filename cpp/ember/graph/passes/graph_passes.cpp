#include "ember/graph/passes/graph_passes.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ember/graph/passes/cse.h"
#include "ember/graph/passes/simplify.h"

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
// and a layout at least as plain. A storage version is read as a row-major buffer (a write may even
// take it over), so a node that is not a view is never replaced by a view or a strided value.
bool can_replace(const Node& n, const Node& x, const PassScope& scope) {
  if (x.dtype != n.dtype || x.shape != n.shape || x.device != n.device) return false;
  if (n.kind == Kind::View) return true;
  if (scope.scheduled(&x)) return x.kind != Kind::View;
  if (!scope.readable(x) || !x.data.buffer) return false;  // being computed elsewhere, or no data yet
  return x.data.offset == 0 && is_contiguous(x.shape, x.data.strides);
}

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
      } else if (const std::byte* c = scope.constant_element(*in)) {
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
        replaced.emplace(n, std::move(leaf));
        continue;
      }
    if (NodePtr x = simplify(*n, scope); x && can_replace(*n, *x, scope)) {
      replaced.emplace(n, std::move(x));
      continue;
    }
    Node* first = cse.find_or_insert(n);
    if (first == n) continue;
    const NodePtr& same = own[pos.at(first)];
    if (!same) continue;
    replaced.emplace(n, same);
    // A held duplicate still gets its own value, now a copy of the first one's instead of a
    // recomputation (a view is free to recompute).
    if (held[i] && n->kind != Kind::View && n->device == DeviceType::CPU) {
      for (auto& in : n->inputs) graveyard.push_back(std::move(in));
      n->op = "copy";
      n->kind = Kind::Elementwise;
      n->params = {};
      n->inputs = {same};
    }
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
  // Only now may replaced nodes be freed: nothing above allocated a node at a freed node's address,
  // which a caller still holding the old schedule (a compiled program) could mistake for it.
}

}  // namespace ember
