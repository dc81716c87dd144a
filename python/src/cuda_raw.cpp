// ember._core.cuda, user kernels and interop: RawModule/RawKernel, ElementwiseKernel/ReductionKernel,
// __cuda_array_interface__ and DLPack (kDLCUDA). Thin: argument conversion only; ember.cuda._raw holds
// the Python-side rules (scalar typing, launch geometry).
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/backend/cuda/interop.h"
#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/raw_compile.h"
#include "ember/backend/cuda/raw_kernels.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/raw_launch.h"
#include "ember/backend/cuda/status.h"
#include "ember/errors.h"

namespace ember::py {
namespace {

using namespace nb::literals;

// A user module: source, options, name expressions; compiled per architecture on first use.
struct RawModuleCore {
  std::string source;
  std::vector<std::string> options, names;

  cuda::RawBinary binary(const std::string& arch) const {
    nb::gil_scoped_release release;
    return cuda::compile_raw(source, arch, options, names);
  }
  std::string symbol(const cuda::RawBinary& b, const std::string& name) const {
    auto it = b.lowered.find(name);
    return it == b.lowered.end() ? name : it->second;
  }
};

// One launch argument from ember.cuda._raw: a core Array, or a scalar's bytes.
std::vector<cuda::ParamValue> launch_params(nb::list args, int* device) {
  std::vector<cuda::ParamValue> params;
  *device = -1;
  for (size_t k = 0; k < args.size(); ++k) {
    nb::handle h = args[k];
    if (nb::isinstance<nb::bytes>(h)) {
      nb::bytes b = nb::borrow<nb::bytes>(h);
      params.push_back(cuda::ParamValue::of(b.c_str(), b.size()));
      continue;
    }
    const Array& a = nb::cast<const Array&>(h);
    int d = 0;
    const std::string what = "argument " + std::to_string(k);
    uint64_t ptr = cuda::argument_pointer(a, &d, what, true);
    if (*device >= 0 && d != *device)
      throw TypeError(what + " is on GPU " + std::to_string(d) + ", the earlier arrays on GPU " + std::to_string(*device));
    *device = d;
    params.push_back(cuda::ParamValue::of(ptr));
  }
  if (*device < 0) *device = cuda::current_device();
  return params;
}

cuda::LaunchConfig launch_config(const std::vector<unsigned>& grid, const std::vector<unsigned>& block, unsigned shared,
                                 uintptr_t stream) {
  cuda::LaunchConfig c;
  for (size_t i = 0; i < 3 && i < grid.size(); ++i) c.grid[i] = grid[i];
  for (size_t i = 0; i < 3 && i < block.size(); ++i) c.block[i] = block[i];
  c.shared_bytes = shared;
  c.stream = stream;
  return c;
}

cuda::UserCall user_call(nb::list inputs, nb::list outputs, int64_t size, std::optional<std::vector<int64_t>> axis,
                         bool keepdims) {
  cuda::UserCall c;
  for (nb::handle h : inputs) {
    cuda::UserArg a;
    if (nb::isinstance<nb::tuple>(h)) {  // (bytes, dtype name): a typed scalar
      nb::tuple t = nb::borrow<nb::tuple>(h);
      a.scalar_dtype = dtype_from_name(nb::cast<std::string>(t[1]));
      nb::bytes b = nb::borrow<nb::bytes>(t[0]);
      a.scalar = cuda::scalar_from_bytes(std::string(b.c_str(), b.size()), a.scalar_dtype);
    } else {
      a.array = nb::cast<Array>(h);
    }
    c.inputs.push_back(std::move(a));
  }
  for (nb::handle h : outputs)
    c.outputs.push_back(h.is_none() ? std::nullopt : std::optional<Array>(nb::cast<Array>(h)));
  c.size = size;
  c.axis = std::move(axis);
  c.keepdims = keepdims;
  return c;
}

// DLPack type codes (the DLPack spec's DLDataTypeCode).
nb::dlpack::dtype dl_dtype(DType t) {
  using C = nb::dlpack::dtype_code;
  C code = C::Float;
  switch (kind_of(t)) {
    case DKind::Bool: code = C::Bool; break;
    case DKind::SignedInt: code = C::Int; break;
    case DKind::UnsignedInt: code = C::UInt; break;
    case DKind::Float: code = t == DType::BFloat16 ? C::Bfloat : C::Float; break;
    case DKind::Complex: code = C::Complex; break;
  }
  return {static_cast<uint8_t>(code), static_cast<uint8_t>(itemsize(t) * 8), 1};
}

DType from_dl_dtype(nb::dlpack::dtype d) {
  if (d.lanes != 1) throw TypeError("DLPack tensors with vector lanes are not supported");
  for (int k = 0; k < kNumDTypes; ++k) {
    DType t = static_cast<DType>(k);
    if (dl_dtype(t) == d) return t;
  }
  throw TypeError("DLPack dtype (code " + std::to_string(d.code) + ", " + std::to_string(d.bits) +
                  " bits) has no ember dtype");
}

// The DLPack spec's managed tensors (unversioned and 1.x), as they sit in the capsules.
struct DLManaged {
  nb::dlpack::dltensor t;
  void* ctx;
  void (*deleter)(DLManaged*);
};
struct DLManagedVersioned {
  uint32_t major, minor;
  void* ctx;
  void (*deleter)(DLManagedVersioned*);
  uint64_t flags;
  nb::dlpack::dltensor t;
};
constexpr int32_t kDLCUDA = 2, kDLCUDAManaged = 13;

Array dlpack_import(nb::capsule cap) {
  const char* name = cap.name();
  const bool versioned = name && std::string(name) == "dltensor_versioned";
  if (!name || (!versioned && std::string(name) != "dltensor"))
    throw TypeError("from_dlpack: expected a DLPack capsule ('dltensor' or 'dltensor_versioned'), got '" +
                    std::string(name ? name : "") + "' (was it consumed already?)");
  nb::dlpack::dltensor* t = nullptr;
  std::shared_ptr<void> owner;
  bool readonly = false;
  if (versioned) {
    auto* m = static_cast<DLManagedVersioned*>(PyCapsule_GetPointer(cap.ptr(), name));
    if (m->major != 1) throw ValueError("from_dlpack: DLPack major version " + std::to_string(m->major) + " is unsupported");
    t = &m->t;
    readonly = m->flags & 1u;  // DLPACK_FLAG_BITMASK_READ_ONLY
    owner = std::shared_ptr<void>(m, [](void* p) {
      auto* mm = static_cast<DLManagedVersioned*>(p);
      if (mm->deleter) mm->deleter(mm);
    });
  } else {
    auto* m = static_cast<DLManaged*>(PyCapsule_GetPointer(cap.ptr(), name));
    t = &m->t;
    owner = std::shared_ptr<void>(m, [](void* p) {
      auto* mm = static_cast<DLManaged*>(p);
      if (mm->deleter) mm->deleter(mm);
    });
  }
  // The capsule is ours now: renamed so that its destructor does not free the tensor too.
  PyCapsule_SetName(cap.ptr(), versioned ? "used_dltensor_versioned" : "used_dltensor");
  if (t->device.device_type != kDLCUDA && t->device.device_type != kDLCUDAManaged)
    throw TypeError("from_dlpack: the tensor is on DLPack device type " + std::to_string(t->device.device_type) +
                    ", not CUDA (2)");
  DType dt = from_dl_dtype(t->dtype);
  Shape shape(t->shape, t->shape + t->ndim);
  std::vector<int64_t> strides;
  if (t->strides)
    for (int d = 0; d < t->ndim; ++d) strides.push_back(t->strides[d] * itemsize(dt));  // DLPack: elements
  uint64_t ptr = reinterpret_cast<uint64_t>(t->data) + t->byte_offset;
  return cuda::import_array(t->device.device_id, ptr, dt, shape, strides, readonly, std::move(owner));
}

nb::object dlpack_export(const Array& a) {
  cuda::ExportedArray e = cuda::export_array(a);
  auto* keep = new std::shared_ptr<Buffer>(e.buffer);
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<std::shared_ptr<Buffer>*>(p); });
  std::vector<size_t> shape(e.shape.begin(), e.shape.end());
  void* data = reinterpret_cast<void*>(e.ptr);
  if (e.readonly)
    return nb::cast(nb::ndarray<nb::ro>(data, shape.size(), shape.data(), owner, e.strides.data(), dl_dtype(e.dtype),
                                        kDLCUDA, e.device));
  return nb::cast(
      nb::ndarray<>(data, shape.size(), shape.data(), owner, e.strides.data(), dl_dtype(e.dtype), kDLCUDA, e.device));
}

// __cuda_array_interface__ (version 3) of a cuda array.
nb::dict cai_export(const Array& a) {
  cuda::ExportedArray e = cuda::export_array(a);
  nb::dict d;
  nb::list shape, strides;
  for (int64_t s : e.shape) shape.append(s);
  for (int64_t s : e.strides) strides.append(s * itemsize(e.dtype));
  d["shape"] = nb::tuple(shape);
  d["strides"] = nb::tuple(strides);
  d["data"] = nb::make_tuple(nb::int_(e.ptr), e.readonly);
  d["version"] = 3;
  // Consumers order their reads after ember's queued work on this stream.
  d["stream"] = nb::int_(cuda::ember_stream(e.device));
  d["device"] = e.device;  // not part of the protocol: ember.cuda's typestr is added in Python
  return d;
}

}  // namespace

void bind_cuda_raw(nb::module_& m) {
  auto cuda_mod = nb::borrow<nb::module_>(m.attr("cuda"));
  // CompileError(RuntimeError) carrying NVRTC's log as .log.
  static nb::object compile_error = nb::steal(
      PyErr_NewExceptionWithDoc("ember._core.cuda.CompileError",
                                "NVRTC could not compile a kernel; .log holds NVRTC's log", PyExc_RuntimeError, nullptr));
  cuda_mod.attr("CompileError") = compile_error;
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const cuda::CompileError& e) {
      nb::object exc = compile_error(e.what());
      exc.attr("log") = e.log();
      PyErr_SetObject(compile_error.ptr(), exc.ptr());
    }
  });

  nb::class_<RawModuleCore>(cuda_mod, "_RawModule")
      .def("__init__",
           [](RawModuleCore* self, std::string source, std::vector<std::string> options,
              std::vector<std::string> names) { new (self) RawModuleCore{std::move(source), std::move(options), std::move(names)}; })
      .def("compile",
           [](const RawModuleCore& r, const std::string& arch) {
             cuda::RawBinary b = r.binary(arch);
             nb::dict lowered;
             for (auto& [k, v] : b.lowered) lowered[k.c_str()] = v;
             return nb::make_tuple(nb::bytes(b.cubin->data(), b.cubin->size()), lowered);
           },
           "arch"_a, "compiles for `arch` (no GPU needed): (cubin bytes, {name expression: lowered name})")
      .def("launch",
           [](const RawModuleCore& r, const std::string& name, std::vector<unsigned> grid, std::vector<unsigned> block,
              nb::list args, unsigned shared, uintptr_t stream) {
             cuda::require_available();
             int device = 0;
             std::vector<cuda::ParamValue> params = launch_params(args, &device);
             cuda::RawBinary b = r.binary(cuda::device_arch(device));
             CUfunction f = cuda::function_in(device, b.cubin, r.symbol(b, name));
             cuda::raw_launch(device, f, launch_config(grid, block, shared, stream), params);
           },
           "name"_a, "grid"_a, "block"_a, "args"_a, "shared"_a, "stream"_a)
      .def("check_function",
           [](const RawModuleCore& r, const std::string& name) {
             cuda::require_available();
             int device = cuda::current_device();
             cuda::RawBinary b = r.binary(cuda::device_arch(device));
             cuda::function_in(device, b.cubin, r.symbol(b, name));
           },
           "loads the module on the current GPU and looks `name` up (ValueError if absent)");

  nb::class_<cuda::UserKernel>(cuda_mod, "_UserKernel")
      .def_static("elementwise", &cuda::UserKernel::elementwise, "in_params"_a, "out_params"_a, "operation"_a, "name"_a,
                  "preamble"_a, "options"_a)
      .def_static("reduction", &cuda::UserKernel::reduction, "in_params"_a, "out_params"_a, "map_expr"_a,
                  "reduce_expr"_a, "post_map_expr"_a, "identity"_a, "name"_a, "reduce_type"_a, "preamble"_a, "options"_a)
      .def_prop_ro("nin", [](const cuda::UserKernel& k) { return k.in_params().size(); })
      .def_prop_ro("nout", [](const cuda::UserKernel& k) { return k.out_params().size(); })
      .def_prop_ro("params", [](const cuda::UserKernel& k) {
        nb::list out;
        for (int side = 0; side < 2; ++side)
          for (auto& p : side ? k.out_params() : k.in_params())
            out.append(nb::make_tuple(p.name, p.type, p.raw, side == 1));
        return out;
      })
      .def("source",
           [](const cuda::UserKernel& k, nb::list inputs, nb::list outputs, int64_t size,
              std::optional<std::vector<int64_t>> axis, bool keepdims) {
             return k.prepare(user_call(inputs, outputs, size, std::move(axis), keepdims)).source;
           },
           "inputs"_a, "outputs"_a, "size"_a, "axis"_a.none(), "keepdims"_a)
      .def("prepare",
           [](const cuda::UserKernel& k, nb::list inputs, nb::list outputs, int64_t size,
              std::optional<std::vector<int64_t>> axis, bool keepdims) {
             cuda::PreparedCall pc = k.prepare(user_call(inputs, outputs, size, std::move(axis), keepdims));
             nb::dict d;
             d["source"] = pc.source;
             d["shape"] = pc.shape;
             d["out_shape"] = pc.out_shape;
             d["strides"] = pc.strides;
             d["n"] = pc.n;
             d["nout"] = pc.nout;
             d["L"] = pc.L;
             nb::list types;
             for (auto& p : pc.kernel.params) types.append(std::string(dtype_name(p.type)));
             d["types"] = types;
             return d;
           },
           "inputs"_a, "outputs"_a, "size"_a, "axis"_a.none(), "keepdims"_a,
           "the bound call: source, iteration shape, output shape, per-parameter element strides, n, nout, L")
      .def("call",
           [](const cuda::UserKernel& k, nb::list inputs, nb::list outputs, int64_t size,
              std::optional<std::vector<int64_t>> axis, bool keepdims) {
             cuda::UserCall c = user_call(inputs, outputs, size, std::move(axis), keepdims);
             nb::gil_scoped_release release;
             return k(c);
           },
           "inputs"_a, "outputs"_a, "size"_a, "axis"_a.none(), "keepdims"_a);

  cuda_mod.def("compile_for", [](const std::string& source, const std::string& arch, std::vector<std::string> options) {
    nb::gil_scoped_release release;
    return cuda::compile_raw(source, arch, options).cubin->size();
  }, "CUBIN size of `source` compiled (and cached) for `arch`");
  cuda_mod.def("device_arch", &cuda::device_arch, "device"_a);
  cuda_mod.def("dlpack_export", &dlpack_export, "a"_a);
  cuda_mod.def("dlpack_import", &dlpack_import, "capsule"_a);
  cuda_mod.def("cai_export", &cai_export, "a"_a);
  cuda_mod.def(
      "cai_import",
      [](uint64_t ptr, std::vector<int64_t> shape, const std::string& dtype, std::vector<int64_t> strides, bool readonly,
         nb::object owner, int device) {
        PyObject* o = owner.release().ptr();
        std::shared_ptr<void> keep(o, [](void* p) {
          if (!Py_IsInitialized()) return;
          nb::gil_scoped_acquire gil;
          Py_DECREF(static_cast<PyObject*>(p));
        });
        return cuda::import_array(device, ptr, dtype_from_name(dtype), shape, strides, readonly, std::move(keep));
      },
      "ptr"_a, "shape"_a, "dtype"_a, "strides"_a, "readonly"_a, "owner"_a, "device"_a);
  cuda_mod.def("ember_stream", &cuda::ember_stream, "device"_a);
  cuda_mod.def("wait_for_stream", &cuda::wait_for_stream, "device"_a, "stream"_a,
               "ember's stream on `device` waits for the work queued on `stream`");
  cuda_mod.def("stream_waits_for_ember", &cuda::stream_waits_for_ember, "device"_a, "stream"_a,
               "`stream` waits for ember's queued work on `device`");
}

}  // namespace ember::py
