#include "ember/errors.h"
#include "ember/ops/indexing.h"

namespace ember {

Array advanced_getitem(const ResolvedIndex&) { throw NotImplementedError("advanced indexing is not implemented yet"); }
void advanced_setitem(const ResolvedIndex&, const Array&) { throw NotImplementedError("advanced indexing is not implemented yet"); }
Array take(const Array&, const Array&, std::optional<int64_t>) { throw NotImplementedError("take is not implemented yet"); }
std::vector<Array> nonzero(const Array&) { throw NotImplementedError("nonzero is not implemented yet"); }

}  // namespace ember
