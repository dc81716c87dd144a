#include "ember/graph/program_reroll.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ember/graph/node_map.h"
#include "ember/graph/passes/cse.h"
#include "ember/graph/trace.h"

namespace ember {
namespace {

// Trips shorter than this many Kernels in all are not worth rolling; periods longer than
// kMaxPeriod are not searched (the search costs kernels x periods comparisons of hashes).
constexpr size_t kMinCovered = 4;
constexpr size_t kMaxPeriod = 512;

// A node a rolled trip may compute again: pure, no state (a random draw's generator), no write
// into a storage, no control flow, collective or traced parameter.
bool pure(const Node& n) {
  return (n.kind == Kind::Elementwise || n.kind == Kind::Reduction || n.kind == Kind::View || n.kind == Kind::Opaque) &&
         !n.params.blob && n.results.empty() && !is_write(n) && !is_parameter(n);
}

bool rollable(const KernelDesc& k) {
  if (k.single) return pure(*k.single);
  for (const Instr& in : k.code)
    if (!pure(*in.node)) return false;
  return !k.reduction || pure(*k.reduction);
}

void mix_node(size_t& h, const Node* n) {
  if (!n) return hash_mix(h, 0);
  hash_mix(h, reinterpret_cast<uintptr_t>(n->op.data()));
  hash_mix(h, static_cast<size_t>(n->kind) | static_cast<size_t>(n->dtype) << 8 | static_cast<size_t>(n->device) << 16);
  for (int64_t d : n->shape) hash_mix(h, static_cast<size_t>(d));
  hash_mix(h, n->inputs.size());
  for (int64_t a : n->params.axes) hash_mix(h, static_cast<size_t>(a));
  hash_mix(h, static_cast<size_t>(n->params.offset));
}

// The inputs a Kernel reads, in slot order.
std::vector<Node*> inputs_of(const KernelDesc& k) {
  if (!k.single) return k.inputs;
  std::vector<Node*> v;
  for (const NodePtr& in : k.single->inputs) v.push_back(in.get());
  return v;
}

// A hash of a Kernel's structure without its nodes' identities (equal structures hash alike);
// Kernels that cannot roll get their index, so that they never match another.
size_t signature(const KernelDesc& k, size_t index) {
  if (!rollable(k)) return ~index;
  size_t h = k.single ? 1 : 2;
  if (k.single) {
    mix_node(h, k.single);
  } else {
    for (int64_t d : k.shape) hash_mix(h, static_cast<size_t>(d));
    for (const Node* in : k.inputs) {
      hash_mix(h, static_cast<size_t>(in->dtype));
      for (int64_t d : in->shape) hash_mix(h, static_cast<size_t>(d));
    }
    for (const Instr& in : k.code) {
      mix_node(h, in.node);
      for (int a : in.args) hash_mix(h, static_cast<size_t>(a));
    }
    for (int r : k.outputs) hash_mix(h, static_cast<size_t>(r));
    mix_node(h, k.reduction);
    hash_mix(h, static_cast<size_t>(k.result + 1));
    hash_mix(h, static_cast<size_t>(k.matvec.matrix + 1) | static_cast<size_t>(k.matvec.residual + 1) << 20);
    mix_node(h, k.matvec.transposed);
  }
  return h;
}

bool same_node(const Node* a, const Node* b) {
  if (!a || !b) return a == b;
  return a->op == b->op && a->kind == b->kind && a->dtype == b->dtype && a->device == b->device &&
         a->shape == b->shape && a->inputs.size() == b->inputs.size() && same_params(a->params, b->params);
}

// Whether two Kernels do the same work, their input nodes aside.
bool same_kernel(const KernelDesc& a, const KernelDesc& b) {
  if (!a.single != !b.single) return false;
  if (a.single) return same_node(a.single, b.single);
  if (a.shape != b.shape || a.inputs.size() != b.inputs.size() || a.code.size() != b.code.size() ||
      a.outputs != b.outputs || a.result != b.result || !same_node(a.reduction, b.reduction))
    return false;
  for (size_t i = 0; i < a.inputs.size(); ++i)
    if (a.inputs[i]->dtype != b.inputs[i]->dtype || a.inputs[i]->shape != b.inputs[i]->shape) return false;
  for (size_t i = 0; i < a.code.size(); ++i)
    if (a.code[i].args != b.code[i].args || !same_node(a.code[i].node, b.code[i].node)) return false;
  const MatvecEnds &x = a.matvec, &y = b.matvec;
  return x.matrix == y.matrix && x.vector == y.vector && x.product == y.product && x.residual == y.residual &&
         same_node(x.transposed, y.transposed) && same_node(x.gemv, y.gemv);
}

// Small leaves a trip may read in place of the template's when their values are equal (the
// constants a trace makes per trip: `lr * g / n` gives each trip its own leaves for lr and n).
bool comparable_leaves(const Node* a, const Node* b) {
  auto leaf = [](const Node* n) { return n->kind == Kind::Leaf && n->inputs.empty() && n->device == DeviceType::CPU; };
  return leaf(a) && leaf(b) && a->dtype == b->dtype && a->shape == b->shape && a->size() <= 64;
}

struct Producer {
  size_t kernel;
  int slot;  // position among the Kernel's produced nodes
};

class Finder {
 public:
  Finder(const std::vector<KernelDesc>& ks, const std::vector<NodePtr>& outputs, const std::vector<NodePtr>& params)
      : ks_(ks), outputs_(outputs) {
    for (const NodePtr& p : params) params_.insert(p.get());
    for (size_t i = 0; i < ks.size(); ++i) {
      int slot = 0;
      ks[i].each_produced([&](Node* n) { producer_[n] = {i, slot++}; });
    }
  }

  // Rolls [s, s + P * R) as far as the Kernels allow: the trips that verify, fewer if something
  // after the loop reads an earlier trip. False if fewer than two trips remain.
  bool verify(size_t s, size_t P, size_t R, RolledRegion& out) {
    std::unordered_map<Node*, Node*> carry;  // template input read from before the loop -> its next value
    std::unordered_set<Node*> invariant;     // nodes from before the loop read as they are by later trips
    std::set<std::pair<Node*, Node*>> equal; // parameter leaves read in place of each other
    size_t trips = R;
    for (size_t t = 1; t < trips; ++t)
      for (size_t q = 0; q < P && trips > t; ++q)
        if (!matches(ks_[s + t * P + q], ks_[s + q], s, P, t, carry, invariant, equal)) trips = t;
    for (auto& [b, src] : carry)
      if (invariant.count(b)) return false;  // one trip reads it both as carried and as it was
    // Something after the loop may read only the last trip's values.
    for (bool changed = true; changed && trips >= 2;) {
      changed = false;
      const size_t end = s + P * trips;
      auto check = [&](Node* a) {
        auto it = producer_.find(a);
        if (it == producer_.end() || it->second.kernel < s || it->second.kernel >= end) return;
        const size_t trip = (it->second.kernel - s) / P;
        if (trip + 1 < trips) {
          trips = trip + 1;
          changed = true;
        }
      };
      for (size_t i = end; i < ks_.size() && !changed; ++i)
        for (Node* a : inputs_of(ks_[i])) check(a);
      for (const NodePtr& o : outputs_) check(o.get());
    }
    if (trips < 2 || P * trips < kMinCovered) return false;
    out = RolledRegion{};
    out.start = s;
    out.period = P;
    out.trips = trips;
    // Carries found in trips the truncation dropped still hold: every kept trip reads them alike.
    for (auto& [b, src] : carry) out.carries.emplace_back(b, src);
    std::sort(out.carries.begin(), out.carries.end());  // (a fixed order: runs are reproducible)
    out.equal_inputs.assign(equal.begin(), equal.end());
    const size_t end = s + P * trips;
    std::unordered_set<Node*> seen;
    auto result = [&](Node* a) {
      auto it = producer_.find(a);
      if (it == producer_.end() || it->second.kernel < s + P * (trips - 1) || it->second.kernel >= end) return;
      if (seen.insert(a).second) out.results.emplace_back(a, template_of(a, s, P));
    };
    for (size_t i = end; i < ks_.size(); ++i)
      for (Node* a : inputs_of(ks_[i])) result(a);
    for (const NodePtr& o : outputs_) result(o.get());
    return true;
  }

 private:
  // The template (first-trip) node standing for `a`, produced in the region starting at s.
  Node* template_of(Node* a, size_t s, size_t P) const {
    const Producer& p = producer_.at(a);
    const KernelDesc& k = ks_[s + (p.kernel - s) % P];
    Node* found = nullptr;
    int slot = 0;
    k.each_produced([&](Node* n) {
      if (slot++ == p.slot) found = n;
    });
    return found;
  }

  // Whether Kernel `k` of trip t does what template Kernel `k0` does on the matching values.
  bool matches(const KernelDesc& k, const KernelDesc& k0, size_t s, size_t P, size_t t,
               std::unordered_map<Node*, Node*>& carry, std::unordered_set<Node*>& invariant,
               std::set<std::pair<Node*, Node*>>& equal) const {
    if (!same_kernel(k, k0)) return false;
    const std::vector<Node*> in = inputs_of(k), in0 = inputs_of(k0);
    const size_t loop_end = s + P * (t + 1);
    for (size_t i = 0; i < in.size(); ++i) {
      Node *a = in[i], *b = in0[i];
      auto pa = producer_.find(a), pb = producer_.find(b);
      const bool a_in = pa != producer_.end() && pa->second.kernel >= s && pa->second.kernel < loop_end;
      const bool b_in = pb != producer_.end() && pb->second.kernel >= s && pb->second.kernel < loop_end;
      if (!a_in) {
        if (b_in) return false;
        if (a == b) {
          invariant.insert(b);
          continue;
        }
        if (comparable_leaves(a, b)) {
          // Constants are compared now; parameters (bound per run) when each run starts.
          const bool bound_later = params_.count(a) || params_.count(b);
          if (bound_later) equal.emplace(std::min(a, b), std::max(a, b));
          else if (!same_values(a->data, b->data, a->dtype, a->shape)) return false;
          continue;
        }
        // The product register of a fused matvec stands for A @ x: a node no Kernel computes.
        if (!k.single && static_cast<int>(i) == k.matvec.product && !a->evaluated && !b->evaluated) continue;
        return false;
      }
      const size_t trip = (pa->second.kernel - s) / P;
      if (trip == t) {
        if (template_of(a, s, P) != b) return false;
      } else if (trip + 1 == t && !b_in) {
        Node* src = template_of(a, s, P);
        auto [it, fresh] = carry.emplace(b, src);
        if (!fresh && it->second != src) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  const std::vector<KernelDesc>& ks_;
  const std::vector<NodePtr>& outputs_;
  std::unordered_set<const Node*> params_;
  std::unordered_map<const Node*, Producer> producer_;
};

struct Candidate {
  size_t start, period, trips;
};

// Every maximal periodic run of signatures with at least two trips, most Kernels covered first.
std::vector<Candidate> candidates(const std::vector<size_t>& sig) {
  const size_t n = sig.size();
  std::vector<Candidate> out;
  for (size_t P = 1; P <= std::min(kMaxPeriod, n / 2); ++P) {
    size_t run = 0;
    for (size_t i = 0; i + P <= n; ++i) {
      const bool eq = i + P < n && sig[i] == sig[i + P];
      if (eq) {
        ++run;
        continue;
      }
      // sig[i - run, i) equal their successors P on: Kernels [i - run, i + P) repeat with period P.
      const size_t trips = (run + P) / P;
      if (trips >= 2 && trips * P >= kMinCovered) out.push_back({i - run, P, trips});
      run = 0;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.trips * a.period != b.trips * b.period ? a.trips * a.period > b.trips * b.period : a.period < b.period;
  });
  return out;
}

}  // namespace

bool same_values(const Data& a, const Data& b, DType dtype, const Shape& shape) {
  if (!a.buffer || !b.buffer || a.buffer->device || b.buffer->device) return false;
  const int64_t item = itemsize(dtype), n = shape_size(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < idx.size(); ++d) {
      oa += idx[d] * a.strides[d];
      ob += idx[d] * b.strides[d];
    }
    if (std::memcmp(a.byte_ptr(item) + oa * item, b.byte_ptr(item) + ob * item, static_cast<size_t>(item)) != 0)
      return false;
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return true;
}

bool RolledRegion::inputs_agree() const {
  for (auto& [a, b] : equal_inputs)
    if (!same_values(a->data, b->data, a->dtype, a->shape)) return false;
  return true;
}

std::vector<RolledRegion> find_rolled_regions(const std::vector<KernelDesc>& kernels, const std::vector<NodePtr>& outputs,
                                              const std::vector<NodePtr>& params) {
  std::vector<size_t> sig(kernels.size());
  for (size_t i = 0; i < kernels.size(); ++i) sig[i] = signature(kernels[i], i);
  Finder finder(kernels, outputs, params);
  std::vector<RolledRegion> regions;
  std::vector<char> taken(kernels.size(), 0);
  for (const Candidate& c : candidates(sig)) {
    const size_t end = c.start + c.period * c.trips;
    if (std::any_of(taken.begin() + c.start, taken.begin() + end, [](char x) { return x; })) continue;
    RolledRegion r;
    if (!finder.verify(c.start, c.period, c.trips, r)) continue;
    std::fill(taken.begin() + r.start, taken.begin() + r.start + r.period * r.trips, 1);
    regions.push_back(std::move(r));
  }
  std::sort(regions.begin(), regions.end(), [](const RolledRegion& a, const RolledRegion& b) { return a.start < b.start; });
  return regions;
}

}  // namespace ember
