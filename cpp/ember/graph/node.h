// A node of the lazy graph: one primitive applied to input nodes. Evaluated nodes hold their data
// and drop their inputs, so the graph is freed as it runs (DESIGN.md decision 1).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/dtype.h"
#include "ember/runtime/buffer.h"
#include "ember/scalar.h"
#include "ember/shape.h"

namespace ember {

// What a primitive is, for passes and devices (DESIGN.md decision 2).
enum class Kind : uint8_t { Leaf, Elementwise, Reduction, View, Opaque, Collective, Control };

enum class DeviceType : uint8_t { CPU, CUDA, PIM };

// The parameters a primitive may carry. Each primitive documents which fields it reads.
struct Params {
  std::vector<int64_t> axes;  // reductions, permutations, flips, ...
  std::vector<int64_t> ints;  // any further integer parameters
  bool flag = false;          // keepdims, descending; on a Collective: it completes a started one (see eval)
  int64_t offset = 0;         // as_strided / set_view: element offset into the input
  Strides strides;            // as_strided / set_view: element strides into the input
  std::vector<Scalar> scalars;  // full value, arange start/step, clip bounds, ...
  DType dtype = DType::Float64;  // accumulation dtype, index dtype, ...
  std::shared_ptr<const void> blob;  // anything larger (e.g. a random generator state)
};

// The result of evaluating a node: a strided window into a buffer.
struct Data {
  std::shared_ptr<Buffer> buffer;
  int64_t offset = 0;  // elements
  Strides strides;     // elements
  template <class T> T* ptr() const { return reinterpret_cast<T*>(buffer->data()) + offset; }
  std::byte* byte_ptr(int item) const { return buffer->data() + offset * item; }
};

struct Node;
struct Storage;
using NodePtr = std::shared_ptr<Node>;

struct Node {
  std::string_view op;  // the primitive's name, a static string ("add", "sum", "as_strided", ...)
  Kind kind = Kind::Leaf;
  Params params;
  std::vector<NodePtr> inputs;
  DType dtype = DType::Float64;
  Shape shape;
  DeviceType device = DeviceType::CPU;
  std::string origin;  // "file.py:12", where the user created it (for error messages and profiles)
  int depth = 0;       // length of the longest unevaluated path below; bounds lazy graphs
  // For a write (a new storage version): the storage it versions. If the write fails, the storage
  // goes back to the previous version (inputs[0]), so a failed write loses no data.
  std::weak_ptr<Storage> writes;

  bool evaluated = false;
  Data data;
  std::vector<Data> results;  // control-flow nodes (graph/control.h): their several results

  int64_t size() const { return shape_size(shape); }
  int ndim() const { return static_cast<int>(shape.size()); }
};

// Builds a node; records where the user created it, and evaluates at once when the lazy graph
// below it grows past the depth limit.
NodePtr make_node(std::string_view op, Kind kind, std::vector<NodePtr> inputs, DType dtype, Shape shape,
                  Params params = {});
// A fresh node with what a replay needs from `n` (op, parameters, type, device, origin), without its
// inputs, value and storage link.
NodePtr copy_header(const Node& n);
// A node that is already evaluated, over `data`.
NodePtr make_leaf(DType dtype, Shape shape, Data data);
// Whether `n` makes a new version of a storage (set_view, scatter: it may take over the old
// version's buffer). True even once the storage is gone.
bool is_write(const Node& n);

// The device of nodes built from no array inputs (creation ops); `with em.default_device(...)`.
DeviceType default_device();
void set_default_device(DeviceType d);

// Supplies the user's source location for new nodes (the Python bindings install one).
using OriginProvider = std::string (*)();
void set_origin_provider(OriginProvider provider);

}  // namespace ember
