#include "ember/graph/eval.h"

#include <algorithm>
#include <unordered_set>

#include "ember/array.h"
#include "ember/backend/cpu/fused.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/graph/passes/fusion.h"

namespace ember {
namespace {

// Post-order of the unevaluated nodes under `roots`, without recursion (graphs can be deep).
std::vector<Node*> schedule(const std::vector<NodePtr>& roots) {
  std::vector<Node*> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<Node*, size_t>> stack;
  for (auto& r : roots) {
    if (r->evaluated || !seen.insert(r.get()).second) continue;
    stack.push_back({r.get(), 0});
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        Node* in = node->inputs[next++].get();
        if (!in->evaluated && seen.insert(in).second) stack.push_back({in, 0});
      } else {
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  return order;
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

// Runs one kernel and marks what it produced evaluated. On failure returns the node that raised
// (the exception stays active for the caller to rethrow).
void run(const KernelDesc& k, Node*& failed) {
  failed = k.single;
  if (k.single) run_node(*k.single);
  else cpu::run_fused(k, failed);
  for (Node* node : k.produced()) {
    node->evaluated = true;
    node->depth = 0;
    node->inputs.clear();  // frees the graph behind it
    node->inputs.shrink_to_fit();
  }
}

const FusionRules& cpu_rules() {
  static const FusionRules r{cpu::can_fuse_elementwise, cpu::can_fuse_reduction};
  return r;
}

}  // namespace

std::vector<KernelDesc> plan(const std::vector<NodePtr>& roots) { return fuse(schedule(roots), roots, cpu_rules()); }

void eval(const std::vector<NodePtr>& roots) {
  std::vector<Node*> order = schedule(roots);
  for (const KernelDesc& k : fuse(order, roots, cpu_rules())) {
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
