// Collective routines on the PIM machine: reductions (any element count) and sort.
#pragma once
#include <cstdint>

#include "machine.h"
#include "macro.h"

namespace ember::pim {

enum class Reduce { Sum, Prod, Min, Max, Any, All };
const char* reduce_name(Reduce r);
// The macro that combines two partial results of r (Add for Sum, Or for Any, ...).
Macro reduce_macro(Reduce r);
// The bit pattern of r's identity element in dtype t (what padding rows and empty reductions hold).
uint64_t reduce_identity(Reduce r, DType t);

struct ReduceResult {
  uint64_t value = 0;  // bit pattern of the result, in the tensor's dtype (bool for Any / All)
  Metrics cost;
};

// Reduces all n elements of t (t is left unchanged). Sum and Prod accumulate in t's dtype
// (integers wrap); Min / Max follow NumPy (NaN propagates); Any / All give a bool. Rows are
// combined with a tree of intra-crossbar moves, then crossbars with a tree of inter-crossbar
// moves; padding rows take the identity element, so any n works.
ReduceResult reduce(Machine& m, Reduce op, const Tensor& t);

// Inclusive prefix sum (cumsum) of t into out (placed like t, same dtype), for any element
// count: work-efficient (Blelloch) up/down sweeps over the rows of every crossbar in parallel,
// with the crossbar offsets (a scan of the crossbar totals across crossbars) injected at the root
// of the down sweep. Integers wrap; floats are summed in tree order. Returns the cost.
Metrics cumsum(Machine& m, const Tensor& t, const Tensor& out);
// The same scan with op Sum or Prod (cumprod: products in tree order, padding with 1).
Metrics scan(Machine& m, Reduce op, const Tensor& t, const Tensor& out);

// Sorts t in place, ascending or descending, in independent consecutive groups of `group`
// elements (0: one group; any size that divides the element count). Integer and float dtypes (floats by IEEE total order of the values,
// NaN last as in NumPy). Returns the cost.
Metrics sort(Machine& m, const Tensor& t, bool descending = false, uint64_t group = 0);

// Stable argsort: idx (int64, placed like t) receives, for each sorted position of each group,
// the index within the group of the element that goes there, ties in index order (NumPy's
// kind="stable"; floats with -0 == +0 and NaN last, first when descending). t is unchanged.
// Also bool. Same network as sort, on a key [rank | value key | group] that is unique per element.
Metrics argsort(Machine& m, const Tensor& t, const Tensor& idx, bool descending = false,
                uint64_t group = 0);

}  // namespace ember::pim
