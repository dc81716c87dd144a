#include "ember/graph/eval.h"

#include <unordered_set>

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

template <class E>
[[noreturn]] void rethrow_with_context(const E& e, const Node& n) {
  std::string where = n.origin.empty() ? "" : " (created at " + n.origin + ")";
  throw E(std::string(e.what()) + " [in ember." + std::string(n.op) + where + "]");
}

// Runs one kernel; errors name the node that raised.
void run(const KernelDesc& k) {
  Node* failed = k.single;
  try {
    if (k.single) run_node(*k.single);
    else cpu::run_fused(k, failed);
  } catch (...) {
    if (!failed) failed = k.produced().empty() ? nullptr : k.produced().back();
    if (!failed) throw;
    try {
      throw;
    } catch (const AxisError& e) {
      rethrow_with_context(e, *failed);
    } catch (const ValueError& e) {
      rethrow_with_context(e, *failed);
    } catch (const TypeError& e) {
      rethrow_with_context(e, *failed);
    } catch (const IndexError& e) {
      rethrow_with_context(e, *failed);
    } catch (const OverflowError& e) {
      rethrow_with_context(e, *failed);
    } catch (const NotImplementedError& e) {
      rethrow_with_context(e, *failed);
    } catch (const LinAlgError& e) {
      rethrow_with_context(e, *failed);
    }
  }
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
  for (const KernelDesc& k : plan(roots)) run(k);
}

}  // namespace ember
