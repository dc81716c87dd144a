#include "ember/graph/passes/matvec_fusion.h"

#include <algorithm>
#include <unordered_map>

#include "ember/runtime/env.h"

namespace ember {
namespace {

bool float_dtype(DType t) { return t == DType::Float64 || t == DType::Float32; }

bool is_as_strided(const Node& n) { return n.kind == Kind::View && n.op == "as_strided" && n.inputs.size() == 1; }

// A cpu matrix-vector product (rows x 1) of a float matrix, without conjugation.
bool float_matvec(const Node& n) {
  return n.op == "matmul" && n.device == DeviceType::CPU && n.inputs.size() == 2 && n.ndim() == 2 &&
         n.shape[1] == 1 && float_dtype(n.dtype) && !n.params.flag && n.inputs[0]->ndim() == 2 &&
         n.inputs[1]->ndim() == 2 && n.inputs[0]->dtype == n.dtype && n.inputs[1]->dtype == n.dtype;
}

// `v` shows the row-major buffer of `of` (a (m,) or (m, 1) value) as (m,) or (m, 1): element i at i.
bool plain_reshape(const Node& v, const Node& of) {
  if (!is_as_strided(v) || v.inputs[0].get() != &of || v.params.offset != 0 || v.size() != of.size()) return false;
  for (size_t d = 0; d < v.shape.size(); ++d)
    if (v.shape[d] > 1 && v.params.strides.at(d) != 1) return false;
  return true;
}

// Where a matrix's elements live: a storage node, an element offset and strides into its row-major
// layout (an as_strided view names its input; any other node is its own row-major storage).
struct Layout {
  const Node* base;
  int64_t offset;
  Strides strides;
};

Layout layout_of(const Node& n) {
  if (is_as_strided(n)) return {n.inputs[0].get(), n.params.offset, n.params.strides};
  return {&n, 0, contiguous_strides(n.shape)};
}

// `t` (k x m) is the transpose of `a` (m x k): the same elements, read with the strides swapped.
// `t` may also be the row-major copy the gemv_operands pass makes of such a transpose.
bool transpose_of(const Node& t_in, const Node& a) {
  const Node* t = &t_in;
  if (t->op == "copy" && t->kind == Kind::Elementwise && t->inputs.size() == 1) t = t->inputs[0].get();
  if (t->ndim() != 2 || t->shape[0] != a.shape[1] || t->shape[1] != a.shape[0] || t->dtype != a.dtype) return false;
  if (t == &a) return false;
  Layout lt = layout_of(*t), la = layout_of(a);
  if (lt.base != la.base || lt.offset != la.offset) return false;
  for (int d = 0; d < 2; ++d)
    if (a.shape[d] > 1 && la.strides[d] != lt.strides[1 - d]) return false;
  return true;
}

// Every node the kernel computes (a single node, the instructions, the reduction).
template <class F>
void each_computed(const KernelDesc& k, F&& f) {
  if (k.single) return f(k.single);
  for (const Instr& in : k.code) f(in.node);
  if (k.reduction) f(k.reduction);
}

struct Graph {
  std::unordered_map<const Node*, int> producer;  // node -> index of the kernel computing it
  std::unordered_map<const Node*, int> refs;      // node -> input slots of computed nodes reading it
  std::unordered_map<const Node*, long> holders;  // node -> shared_ptr use count (read through a slot)
  std::unordered_map<const Node*, char> root;

  // Nothing outside the kernels (a user's array, the caller's roots) holds `n`.
  bool internal(const Node* n) const {
    if (root.count(n)) return false;
    auto r = refs.find(n);
    auto h = holders.find(n);
    return r != refs.end() && h != holders.end() && h->second == r->second;
  }
  int ref_count(const Node* n) const {
    auto r = refs.find(n);
    return r == refs.end() ? 0 : r->second;
  }
};

Graph build_graph(const std::vector<KernelDesc>& kernels, const std::vector<NodePtr>& roots) {
  Graph g;
  for (size_t i = 0; i < kernels.size(); ++i)
    each_computed(kernels[i], [&](Node* n) {
      g.producer[n] = static_cast<int>(i);
      for (const NodePtr& in : n->inputs) {
        ++g.refs[in.get()];
        g.holders[in.get()] = in.use_count();
      }
    });
  for (const NodePtr& r : roots) g.root[r.get()] = 1;
  return g;
}

// The single kernel computing `n`, or -1.
int single_producer(const Graph& g, const std::vector<KernelDesc>& kernels, const Node* n) {
  auto it = g.producer.find(n);
  return it != g.producer.end() && kernels[it->second].single == n ? it->second : -1;
}

struct Match {
  int product = -1;   // input register of the (m,) view of A @ x
  int residual = -1;  // register r
  Node* gemv = nullptr;
  Node* transposed = nullptr;
  int transposed_kernel = -1;
};

// `v` is `of` itself or a plain reshape of it, with shape `shape`.
bool same_rows(const Node& v, const Node& of, const Shape& shape) {
  return v.shape == shape && (&v == &of || plain_reshape(v, of));
}

// The matvec ends of fused kernel `f`, if it has them. Its iteration space is the m rows of A, as
// (m,) or (m, 1) (view pushdown may move the reshapes of the products past the chain).
// Only tall matrices (m >= k): the runner streams rows, each a few vectors long. (A wide one is
// usually the transpose of a tall one whose products are fused already: X.T @ err, then the next
// step's X @ w, read as (X.T).T.) Products another matvec kernel absorbed are taken.
bool match(const std::vector<KernelDesc>& kernels, const Graph& g, int f, const std::vector<char>& absorbed,
           Match& out) {
  const KernelDesc& k = kernels[f];
  if (k.single || k.code.empty() || k.code.front().node->device != DeviceType::CPU) return false;
  if (k.shape.empty() || k.shape.size() > 2 || (k.shape.size() == 2 && k.shape[1] != 1)) return false;
  const int64_t m = k.shape[0];
  if (m < 1) return false;
  if (k.reduction) {  // folded over the whole row space (a fold the cpu runner combines by blocks)
    const Node& r = *k.reduction;
    if (r.size() != 1 || !float_dtype(r.dtype) || !r.params.scalars.empty()) return false;
    if (r.op != "sum" && r.op != "max" && r.op != "min") return false;
  }
  for (const Node* in : k.inputs)  // the other inputs: one value per row, or one value in all
    if (in->size() != 1 && in->shape != k.shape) return false;
  const Shape column{m, 1};
  const int nin = static_cast<int>(k.inputs.size());
  for (int j = 0; j < nin; ++j) {
    const Node* p = k.inputs[j];  // A @ x, or its reshape
    Node* gemv = p->op == "matmul" ? const_cast<Node*>(p) : is_as_strided(*p) ? p->inputs[0].get() : nullptr;
    if (!gemv || !float_matvec(*gemv) || gemv->shape != column || !same_rows(*p, *gemv, k.shape)) continue;
    const Node& a = *gemv->inputs[0];
    if (a.shape[0] != m || a.shape[1] < 1 || a.shape[1] > m || gemv->inputs[1]->shape != Shape{a.shape[1], 1}) continue;
    // The product (and its view) are read by this kernel's instructions only: never stored.
    const int gk = single_producer(g, kernels, gemv);
    if (gk < 0 || absorbed[gk] || !g.internal(gemv)) continue;
    if (p != gemv && (single_producer(g, kernels, p) < 0 || !g.internal(p) || g.ref_count(gemv) != 1)) continue;
    int reads_here = 0;
    for (const Instr& ins : k.code)
      for (const NodePtr& in : ins.node->inputs) reads_here += in.get() == p;
    if (k.reduction)
      for (const NodePtr& in : k.reduction->inputs) reads_here += in.get() == p;
    if (reads_here != g.ref_count(p)) continue;
    // A later single matmul A.T @ r, r a stored register (or its (m, 1) reshape).
    for (int r : k.outputs) {
      Node* e = k.reg_node(r);
      if (e->dtype != gemv->dtype || e->shape != k.shape) continue;
      for (size_t t = f + 1; t < kernels.size(); ++t) {
        Node* mm = kernels[t].single;
        if (!mm || absorbed[t] || !float_matvec(*mm) || mm->dtype != gemv->dtype || mm->shape != Shape{a.shape[1], 1})
          continue;
        if (!same_rows(*mm->inputs[1], *e, column) || !transpose_of(*mm->inputs[0], a)) continue;
        out = Match{j, r, gemv, mm, static_cast<int>(t)};
        return true;
      }
    }
  }
  return false;
}

// Appends A and x as input registers (after the existing ones: instruction registers move up by
// two) and records the ends.
void absorb(KernelDesc& k, const Match& mt) {
  const int nin = static_cast<int>(k.inputs.size());
  auto shift = [&](int r) { return r >= nin ? r + 2 : r; };
  for (Instr& ins : k.code)
    for (int& a : ins.args) a = shift(a);
  for (int& r : k.outputs) r = shift(r);
  if (k.result >= 0) k.result = shift(k.result);
  k.inputs.push_back(mt.gemv->inputs[0].get());
  k.inputs.push_back(mt.gemv->inputs[1].get());
  k.matvec = MatvecEnds{nin, nin + 1, mt.product, shift(mt.residual), mt.gemv, mt.transposed};
}

// Drops the kernels whose products nothing live reads (walking back from the last kernel, so a
// chain of such kernels goes at once), and the stores of matvec kernels nobody reads. Only kernels
// without effects go: views, matmuls and plain fused kernels.
void drop_dead(std::vector<KernelDesc>& kernels, const Graph& g) {
  std::unordered_map<const Node*, int> live;  // reads by kernels kept so far
  auto needed = [&](const Node* n) { return !g.internal(n) || live.count(n); };
  std::vector<char> keep(kernels.size(), 1);
  for (size_t i = kernels.size(); i-- > 0;) {
    KernelDesc& k = kernels[i];
    bool any = false;
    k.each_produced([&](Node* n) { any = any || needed(n); });
    const bool pure = k.single ? (k.single->kind == Kind::View || k.single->op == "matmul") && !k.single->evaluated
                               : !k.reduction && !k.matvec.transposed;
    if (!any && pure) {
      keep[i] = 0;
      continue;
    }
    if (k.matvec.transposed) {  // a residual only the absorbed product read need not be stored
      std::vector<int> kept;
      for (int r : k.outputs)
        if (needed(k.reg_node(r))) kept.push_back(r);
      k.outputs.swap(kept);
    }
    if (k.single) {
      for (const NodePtr& in : k.single->inputs) ++live[in.get()];
    } else {
      for (int r = 0; r < static_cast<int>(k.inputs.size()); ++r)
        if (r != k.matvec.product || !k.matvec.transposed) ++live[k.inputs[r]];
    }
  }
  size_t w = 0;
  for (size_t i = 0; i < kernels.size(); ++i)
    if (keep[i]) {
      if (w != i) kernels[w] = std::move(kernels[i]);
      ++w;
    }
  kernels.resize(w);
}

}  // namespace

void fuse_matvec_ends(std::vector<KernelDesc>& kernels, const std::vector<NodePtr>& roots) {
  static const bool enabled = env_switch_on("EMBER_MATVEC_FUSION");
  if (!enabled) return;
  int matmuls = 0;
  for (const KernelDesc& k : kernels) matmuls += k.single && k.single->op == "matmul";
  if (matmuls < 2) return;
  const Graph g = build_graph(kernels, roots);
  std::vector<char> absorbed(kernels.size(), 0);  // the A.T @ r kernels now computed elsewhere
  bool any = false;
  for (size_t f = 0; f < kernels.size(); ++f) {
    Match mt;
    if (kernels[f].single || !match(kernels, g, static_cast<int>(f), absorbed, mt)) continue;
    absorb(kernels[f], mt);
    absorbed[mt.transposed_kernel] = 1;
    any = true;
  }
  if (!any) return;
  size_t w = 0;
  for (size_t i = 0; i < kernels.size(); ++i)
    if (!absorbed[i]) {
      if (w != i) kernels[w] = std::move(kernels[i]);
      ++w;
    }
  kernels.resize(w);
  drop_dead(kernels, g);
}

}  // namespace ember
