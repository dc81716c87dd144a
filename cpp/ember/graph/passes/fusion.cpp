#include "ember/graph/passes/fusion.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include "ember/graph/node_map.h"
#include "ember/graph/passes/matvec_fusion.h"

namespace ember {
namespace {

// Fusion runs on every evaluation, so it works on positions in `order` and flat arrays: a program
// of a few hundred small ops must not spend more on planning than on computing.

struct Group {
  int root = -1;               // position of the node the group ends in
  Shape space;
  std::vector<int> members;    // positions, in reverse schedule order while built
  int reduction = -1;          // position of a sibling reduction merged in (see merge_sibling_reductions)
};

// Whether a node's parameters are all defaults (so op, dtype and inputs say everything it computes).
bool plain(const Params& p) {
  return p.axes.empty() && p.ints.empty() && !p.flag && p.offset == 0 && p.strides.empty() && p.scalars.empty() &&
         !p.blob;
}

size_t mix(size_t h, size_t v) { return h ^ (v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2)); }

// A size-1 evaluated node in host memory: its value can share a register with an equal one.
// (A device's evaluated node holds a handle to device memory, with no host bytes to compare.)
bool is_constant(const Node* x) {
  return x->evaluated && x->size() == 1 && x->device == DeviceType::CPU && x->data.buffer;
}

size_t constant_hash(const Node* x) {
  int item = itemsize(x->dtype);
  size_t h = std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(x->data.byte_ptr(item)), static_cast<size_t>(item)));
  return mix(mix(h, static_cast<size_t>(x->dtype)), static_cast<size_t>(x->ndim()));
}

bool same_constant(const Node* x, const Node* y) {
  if (x->dtype != y->dtype || x->ndim() != y->ndim()) return false;
  int item = itemsize(x->dtype);
  return std::memcmp(x->data.byte_ptr(item), y->data.byte_ptr(item), static_cast<size_t>(item)) == 0;
}

}  // namespace

std::vector<KernelDesc> fuse(const std::vector<Node*>& order, const std::vector<NodePtr>& roots, const FusionRules& rules) {
  const int n = static_cast<int>(order.size());
  FlatMap<const Node*, int> pos(order.size());
  for (int i = 0; i < n; ++i) pos.insert(order[i], i);
  // Input slots, by position (-1: evaluated before this schedule): in[first[i]..first[i+1]).
  std::vector<int> first(n + 1), in;
  std::vector<int> refs(n, 0);  // input slots of scheduled nodes that read it
  for (int i = 0; i < n; ++i) {
    first[i] = static_cast<int>(in.size());
    for (auto& x : order[i]->inputs) {
      const int* found = pos.find(x.get());
      int p = found ? *found : -1;
      in.push_back(p);
      if (p >= 0) ++refs[p];
    }
  }
  first[n] = static_cast<int>(in.size());
  // Readers, one entry per input slot, in schedule order: readers[rfirst[j]..rfirst[j+1]).
  std::vector<int> rfirst(n + 1, 0), readers(in.size());
  for (int j = 0; j < n; ++j) rfirst[j + 1] = rfirst[j] + refs[j];
  {
    std::vector<int> fill(rfirst.begin(), rfirst.end() - 1);
    for (int i = 0; i < n; ++i)
      for (int s = first[i]; s < first[i + 1]; ++s)
        if (in[s] >= 0) readers[fill[in[s]]++] = i;
  }
  std::vector<char> is_root(n, 0);
  for (auto& r : roots) {
    if (const int* p = pos.find(r.get())) is_root[*p] = 1;
  }
  // Held by something outside the schedule (a user's array, a node not being evaluated): its value
  // must be materialized. Besides the scheduled readers, only the roots vector may hold it.
  auto must_store = [&](int j) {
    if (is_root[j]) return true;
    long holders = 0;  // use_count, read through any reader's slot
    for (int r = rfirst[j]; r < rfirst[j + 1] && holders == 0; ++r)
      for (auto& p : order[readers[r]]->inputs)
        if (p.get() == order[j]) { holders = p.use_count(); break; }
    return holders > refs[j];
  };

  std::vector<int> group(n, -1);
  std::vector<char> stored(n, 0);
  std::vector<Group> groups;
  for (int i = n - 1; i >= 0; --i) {
    Node* node = order[i];
    if (rules.elementwise && rules.elementwise(*node)) {
      int g = -1;
      bool same = refs[i] > 0;
      for (int r = rfirst[i]; r < rfirst[i + 1]; ++r) {
        int cg = group[readers[r]];
        if (cg < 0 || (g >= 0 && cg != g)) { same = false; break; }
        g = cg;
      }
      if (same && node->device == order[groups[g].root]->device) {  // a kernel runs on one device
        Group& G = groups[g];
        bool store = must_store(i);
        bool fits = node->shape == G.space ||
                    (!store && node->size() == 1 && node->shape.size() <= G.space.size());
        if (fits) {
          group[i] = g;
          G.members.push_back(i);
          stored[i] = store;
          continue;
        }
      }
      group[i] = static_cast<int>(groups.size());
      stored[i] = 1;
      groups.push_back(Group{i, node->shape, {i}});
    } else if (rules.reduction && rules.reduction(*node)) {
      group[i] = static_cast<int>(groups.size());
      groups.push_back(Group{i, node->inputs[0]->shape, {}});
    }
  }

  // A reduction of a stored elementwise value (`err = p - y` read by a matmul and by `err.sum()`)
  // joins the kernel that computes the value, as its trailing reduction: one pass instead of two.
  // The merged kernel runs at the value's position, so everything else the reduction's group
  // reads must come before it.
  for (size_t gr = 0; gr < groups.size(); ++gr) {
    const int i = groups[gr].root;
    if (order[i]->kind != Kind::Reduction) continue;
    const int p = in[first[i]];
    if (p < 0 || group[p] < 0 || group[p] == static_cast<int>(gr)) continue;
    const int g = group[p];
    Group& G = groups[g];
    if (G.root != p || G.reduction >= 0 || G.space != groups[gr].space) continue;
    if (order[p]->device != order[i]->device) continue;
    bool ready = true;
    auto check = [&](int m) {
      for (int s = first[m]; s < first[m + 1]; ++s) {
        int q = in[s];
        ready = ready && (q < p || group[q] == g || group[q] == static_cast<int>(gr));
      }
    };
    check(i);
    for (int m : groups[gr].members) check(m);
    if (!ready) continue;
    for (int m : groups[gr].members) {
      group[m] = g;
      G.members.push_back(m);
    }
    group[i] = g;
    G.reduction = i;
    groups[gr].members.clear();
  }

  std::vector<KernelDesc> kernels;
  std::vector<int> reg(n, -1);  // registers of scheduled nodes in the kernel being built (reset after)
  std::vector<int> touched;
  for (int i = 0; i < n; ++i) {
    Node* node = order[i];
    if (group[i] < 0) {
      KernelDesc k;
      k.single = node;
      kernels.push_back(std::move(k));
      continue;
    }
    const int g = group[i];
    Group& G = groups[g];
    if (G.root != i) continue;  // emitted with its root, which every member precedes
    KernelDesc k;
    k.shape = G.space;
    FlatMap<const Node*, int> outside;  // registers of nodes evaluated before the schedule
    FlatMap<size_t, int> constants(4), seen(G.members.size());  // by hash (odd), verified
    if (G.reduction >= 0) std::sort(G.members.begin(), G.members.end());  // schedule order
    else std::reverse(G.members.begin(), G.members.end());
    auto set_reg = [&](int p, Node* x, int r) {
      if (p >= 0) reg[p] = r, touched.push_back(p);
      else outside.insert(x, r);
    };
    auto reg_of = [&](int p, Node* x) {
      if (p >= 0) return reg[p];
      const int* r = outside.find(x);
      return r ? *r : -1;
    };
    // An input register for `x` (position p, -1 if outside the schedule). Equal constants share
    // one register (CSE of the scalars Python code sprinkles everywhere).
    auto operand = [&](int p, Node* x) {
      int r = reg_of(p, x);
      if (r >= 0) return;
      bool constant = is_constant(x);
      size_t h = constant ? constant_hash(x) | 1 : 0;
      if (constant) {
        int equal = -1;
        constants.any_of(h, [&](int c) { return same_constant(k.inputs[c], x) && (equal = c, true); });
        if (equal >= 0) return set_reg(p, x, equal);
      }
      r = static_cast<int>(k.inputs.size());
      k.inputs.push_back(x);
      if (constant) constants.add(h, r);
      set_reg(p, x, r);
    };
    // Inputs first (registers 0..m-1), then instructions: collect inputs in a first sweep.
    auto member = [&](int p) { return p >= 0 && group[p] == g; };
    for (int m : G.members) {
      const auto& inputs = order[m]->inputs;
      for (size_t s = 0; s < inputs.size(); ++s) {
        int p = in[first[m] + static_cast<int>(s)];
        if (!member(p)) operand(p, inputs[s].get());
      }
    }
    if (G.members.empty() || node->kind == Kind::Reduction) {
      int p = in[first[i]];
      if (!member(p)) operand(p, node->inputs[0].get());
    }
    // Common subexpressions: an unstored instruction equal to an earlier one (same op, dtype,
    // shape, argument registers, no parameters) reuses its register.
    for (int mp : G.members) {
      Node* m = order[mp];
      Instr ins{m, {}};
      ins.args.reserve(m->inputs.size());
      for (size_t s = 0; s < m->inputs.size(); ++s)
        ins.args.push_back(reg_of(in[first[mp] + static_cast<int>(s)], m->inputs[s].get()));
      const int r = static_cast<int>(k.inputs.size() + k.code.size());
      if (!stored[mp] && plain(m->params) && !m->inputs.empty()) {
        size_t h = mix(std::hash<std::string_view>()(m->op), static_cast<size_t>(m->dtype));
        for (int64_t d : m->shape) h = mix(h, static_cast<size_t>(d));
        for (int a : ins.args) h = mix(h, static_cast<size_t>(a));
        h |= 1;
        int found = -1;
        seen.any_of(h, [&](int c) {
          const Instr& e = k.code[c - k.inputs.size()];
          bool equal = e.node->op == m->op && e.node->dtype == m->dtype && e.node->shape == m->shape && e.args == ins.args;
          if (equal) found = c;
          return equal;
        });
        if (found >= 0) {
          set_reg(mp, m, found);
          continue;
        }
        seen.add(h, r);
      }
      set_reg(mp, m, r);
      k.code.push_back(std::move(ins));
      if (stored[mp]) k.outputs.push_back(r);
    }
    const int red = G.reduction >= 0 ? G.reduction : (node->kind == Kind::Reduction ? i : -1);
    if (red >= 0) {
      k.reduction = order[red];
      k.result = reg_of(in[first[red]], order[red]->inputs[0].get());
    }
    kernels.push_back(std::move(k));
    for (int p : touched) reg[p] = -1;
    touched.clear();
  }
  fuse_matvec_ends(kernels, roots);
  return kernels;
}

}  // namespace ember
