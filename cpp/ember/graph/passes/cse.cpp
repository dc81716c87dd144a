#include "ember/graph/passes/cse.h"

#include <cstring>
#include <functional>
#include <variant>

namespace ember {
namespace {

// Bit-for-bit equality: -0.0 and +0.0 differ, equal NaNs match.
bool same_scalar(const Scalar& a, const Scalar& b) {
  if (a.value.index() != b.value.index()) return false;
  return std::visit(
      [&](const auto& x) {
        const auto& y = std::get<std::decay_t<decltype(x)>>(b.value);
        return std::memcmp(&x, &y, sizeof(x)) == 0;
      },
      a.value);
}

}  // namespace

bool same_params(const Params& a, const Params& b) {
  if (a.axes != b.axes || a.ints != b.ints || a.flag != b.flag || a.offset != b.offset || a.strides != b.strides ||
      a.dtype != b.dtype || a.blob || b.blob || a.scalars.size() != b.scalars.size())
    return false;
  for (size_t i = 0; i < a.scalars.size(); ++i)
    if (!same_scalar(a.scalars[i], b.scalars[i])) return false;
  return true;
}

bool cse_candidate(const Node& n) {
  if (n.evaluated || n.params.blob || !n.writes.expired()) return false;
  return n.kind == Kind::Elementwise || n.kind == Kind::Reduction || n.kind == Kind::View;
}

size_t CseTable::hash(const Node* n) {
  // The op's length and end letters: cheaper than hashing its text, and equal names agree.
  size_t h = n->op.size() * 0x100000001b3ull;
  if (!n->op.empty()) hash_mix(h, static_cast<size_t>(n->op.front()) << 8 | static_cast<size_t>(n->op.back()));
  hash_mix(h, static_cast<size_t>(n->dtype));
  hash_mix(h, static_cast<size_t>(n->device));
  for (int64_t d : n->shape) hash_mix(h, static_cast<size_t>(d));
  for (auto& in : n->inputs) hash_mix(h, std::hash<const Node*>{}(in.get()));
  for (int64_t a : n->params.axes) hash_mix(h, static_cast<size_t>(a));
  hash_mix(h, static_cast<size_t>(n->params.offset));
  return h | 1;
}

bool CseTable::equal(const Node* a, const Node* b) {
  if (a->op != b->op || a->kind != b->kind || a->dtype != b->dtype || a->device != b->device || a->shape != b->shape ||
      a->inputs.size() != b->inputs.size())
    return false;
  for (size_t i = 0; i < a->inputs.size(); ++i)
    if (a->inputs[i] != b->inputs[i]) return false;
  return same_params(a->params, b->params);
}

Node* CseTable::find_or_insert(Node* n) {
  const size_t h = hash(n);
  Node* found = n;
  if (seen_.any_of(h, [&](Node* m) { return equal(m, n) && (found = m, true); })) return found;
  seen_.add(h, n);
  return n;
}

}  // namespace ember
