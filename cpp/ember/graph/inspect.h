// The graph under some roots as plain records, for `em.explain`, `em.to_dot` and EMBER_DEBUG=2
// (DESIGN.md decision 9): every node with its inputs, and the Kernel each unevaluated node joins.
#pragma once
#include <string>
#include <unordered_set>
#include <vector>

#include "ember/graph/kernel.h"
#include "ember/graph/node.h"

namespace ember {

struct NodeRecord {
  int id = 0;  // index in GraphInfo::nodes; inputs come before their users
  std::string op;
  Kind kind = Kind::Leaf;
  DType dtype = DType::Float64;
  Shape shape;
  DeviceType device = DeviceType::CPU;
  std::string origin;  // "file.py:12" where the user created it ("" if unknown)
  std::vector<int> inputs;
  bool evaluated = false;
  int kernel = -1;  // the Kernel computing it, -1 if evaluated
  std::string detail;  // control-flow nodes: the listings of their branches / loop bodies
};

struct KernelRecord {
  bool fused = false;
  Shape shape;               // the iteration space (fused) or the node's shape
  std::vector<int> nodes;    // the nodes it computes: instructions in order, then the reduction
  std::vector<int> inputs;   // nodes it reads that other Kernels (or earlier evaluation) produce
  std::vector<int> outputs;  // the nodes it materializes
};

struct GraphInfo {
  std::vector<NodeRecord> nodes;
  std::vector<KernelRecord> kernels;
  std::vector<int> roots;
};

// The nodes under `roots`, each after its inputs (a post-order, without recursion: graphs can be
// deep), not looking below evaluated nodes (their inputs are gone or no longer matter), leaving out
// the nodes in `known` and what lies only below them.
std::vector<NodePtr> graph_order(const std::vector<NodePtr>& roots,
                                 const std::unordered_set<const Node*>& known = {});

// Records the graph under `roots` and the Kernels evaluating them would run (graph::plan).
GraphInfo inspect(const std::vector<NodePtr>& roots);
// The same with the Kernels already planned (the nodes of `kernels` must be alive).
GraphInfo inspect(const std::vector<NodePtr>& roots, const std::vector<KernelDesc>& kernels);

// A compact listing, one line per node: "%3 = add(%1, %2) float64 (1000,) cpu [k0] t.py:5".
std::string graph_listing(const GraphInfo& g);

}  // namespace ember
