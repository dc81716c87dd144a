#include "ember/graph/passes/fusion.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace ember {
namespace {

struct Group {
  Node* root = nullptr;
  Shape space;
  std::vector<Node*> members;  // in reverse schedule order while built
  std::unordered_set<Node*> stored;
};

struct Info {
  int pos = 0;
  int refs = 0;  // input slots of scheduled nodes that read it
  int group = -1;
  std::vector<Node*> consumers;
};

// Whether a node's parameters are all defaults (so op, dtype and inputs say everything it computes).
bool plain(const Params& p) {
  return p.axes.empty() && p.ints.empty() && !p.flag && p.offset == 0 && p.strides.empty() && p.scalars.empty() &&
         !p.blob;
}

}  // namespace

std::vector<KernelDesc> fuse(const std::vector<Node*>& order, const std::vector<NodePtr>& roots, const FusionRules& rules) {
  std::unordered_map<Node*, Info> info;
  info.reserve(order.size() * 2);
  for (size_t i = 0; i < order.size(); ++i) info[order[i]].pos = static_cast<int>(i);
  for (Node* n : order)
    for (auto& in : n->inputs) {
      auto it = info.find(in.get());
      if (it == info.end()) continue;  // evaluated before this schedule
      it->second.refs++;
      it->second.consumers.push_back(n);
    }
  std::unordered_set<Node*> root_set;
  for (auto& r : roots) root_set.insert(r.get());
  // Held by something outside the schedule (a user's array, a node not being evaluated): its value
  // must be materialized. Besides the scheduled readers, only the roots vector may hold it.
  auto must_store = [&](Node* n, const Info& in) {
    if (root_set.count(n)) return true;
    long holders = 0;  // use_count, read through any reader's slot
    for (Node* c : in.consumers)
      for (auto& p : c->inputs)
        if (p.get() == n) { holders = p.use_count(); break; }
    return holders > in.refs;
  };

  std::vector<Group> groups;
  for (int i = static_cast<int>(order.size()) - 1; i >= 0; --i) {
    Node* n = order[i];
    Info& in = info[n];
    if (rules.elementwise && rules.elementwise(*n)) {
      int g = -1;
      bool same = !in.consumers.empty();
      for (Node* c : in.consumers) {
        int cg = info[c].group;
        if (cg < 0 || (g >= 0 && cg != g)) { same = false; break; }
        g = cg;
      }
      if (same && n->device == groups[g].root->device) {  // a kernel runs on one device
        Group& G = groups[g];
        bool store = must_store(n, in);
        bool fits = n->shape == G.space ||
                    (!store && n->size() == 1 && n->shape.size() <= G.space.size());
        if (fits) {
          in.group = g;
          G.members.push_back(n);
          if (store) G.stored.insert(n);
          continue;
        }
      }
      in.group = static_cast<int>(groups.size());
      groups.push_back(Group{n, n->shape, {n}, {n}});
    } else if (rules.reduction && rules.reduction(*n)) {
      in.group = static_cast<int>(groups.size());
      groups.push_back(Group{n, n->inputs[0]->shape, {}, {}});
    }
  }

  std::vector<KernelDesc> kernels;
  for (Node* n : order) {
    const Info& in = info[n];
    if (in.group < 0) {
      KernelDesc k;
      k.single = n;
      kernels.push_back(std::move(k));
      continue;
    }
    Group& G = groups[in.group];
    if (G.root != n) continue;  // emitted with its root, which every member precedes
    KernelDesc k;
    k.shape = G.space;
    std::reverse(G.members.begin(), G.members.end());  // schedule order
    std::unordered_map<Node*, int> reg;
    // Equal constants share one register (CSE of the scalars Python code sprinkles everywhere).
    std::unordered_map<std::string, int> constants;
    auto constant_key = [](Node* x) -> std::string {
      if (!x->evaluated || x->size() != 1 || !x->data.buffer) return {};
      int item = itemsize(x->dtype);
      std::string key(reinterpret_cast<const char*>(x->data.byte_ptr(item)), static_cast<size_t>(item));
      return key + static_cast<char>(x->dtype) + static_cast<char>(x->ndim());
    };
    auto operand = [&](Node* x) {
      auto it = reg.find(x);
      if (it != reg.end()) return it->second;
      std::string key = constant_key(x);
      if (!key.empty()) {
        auto c = constants.find(key);
        if (c != constants.end()) return reg[x] = c->second;
      }
      int r = static_cast<int>(k.inputs.size());
      k.inputs.push_back(x);
      if (!key.empty()) constants[key] = r;
      reg[x] = r;
      return r;
    };
    // Inputs first (registers 0..m-1), then instructions: collect inputs in a first sweep.
    std::unordered_set<Node*> member_set(G.members.begin(), G.members.end());
    for (Node* m : G.members)
      for (auto& x : m->inputs)
        if (!member_set.count(x.get())) operand(x.get());
    if (G.members.empty() || G.root->kind == Kind::Reduction) {
      Node* x = G.root->inputs[0].get();
      if (!member_set.count(x)) operand(x);
    }
    // Common subexpressions: an unstored instruction equal to an earlier one (same op, dtype,
    // argument registers, no parameters) reuses its register.
    std::unordered_map<std::string, int> seen;
    for (Node* m : G.members) {
      Instr ins{m, {}};
      for (auto& x : m->inputs) ins.args.push_back(reg.at(x.get()));
      if (!G.stored.count(m) && plain(m->params) && !m->inputs.empty()) {
        std::string key(m->op);
        key += '/';
        key += std::to_string(static_cast<int>(m->dtype));
        key += shape_str(m->shape);
        for (int a : ins.args) {
          key += ',';
          key += std::to_string(a);
        }
        auto [it, fresh] = seen.emplace(key, static_cast<int>(k.inputs.size() + k.code.size()));
        if (!fresh) {
          reg[m] = it->second;
          continue;
        }
      }
      reg[m] = static_cast<int>(k.inputs.size() + k.code.size());
      k.code.push_back(std::move(ins));
      if (G.stored.count(m)) k.outputs.push_back(reg.at(m));
    }
    if (G.root->kind == Kind::Reduction) {
      k.reduction = G.root;
      k.result = reg.at(G.root->inputs[0].get());
    }
    kernels.push_back(std::move(k));
  }
  return kernels;
}

}  // namespace ember
