#include "ember/backend/cuda/raw_render.h"

#include <sstream>

namespace ember::cuda {
namespace {

// Helpers every user kernel gets (names start with _ember, which parameters may not use).
constexpr const char* kHelpers = R"(template <int N> struct _EmberDims { long long v[N]; };
template <class T, int N> struct _EmberRaw {
  T* p;
  long long shape[N];
  long long strides[N];
  __device__ T& operator[](long long k) const {
    long long off = 0;
    for (int d = N - 1; d >= 0; --d) {
      off += (k % shape[d]) * strides[d];
      k /= shape[d];
    }
    return p[off];
  }
  __device__ long long size() const {
    long long n = 1;
    for (int d = 0; d < N; ++d) n *= shape[d];
    return n;
  }
};
struct _EmberIndex {
  long long n;
  __device__ long long size() const { return n; }
};
)";

void typedefs(std::ostringstream& s, const TypeMap& types) {
  for (auto& [ph, dt] : types) s << "  typedef " << c_type(dt) << " " << ph << ";\n";
}

void signature(std::ostringstream& s, const UserKernelSource& k) {
  const int R = k.ndim;
  s << "extern \"C\" __global__ void " << k.name << "(const _EmberDims<" << R << "> _shape";
  if (k.reduction) s << ", const long long _nout, const long long _L";
  else s << ", const long long _n";
  for (const BoundParam& p : k.params) {
    switch (p.kind) {
      case BoundParam::Array:
        s << ",\n    " << (p.output ? "" : "const ") << c_type(p.storage) << "* _p_" << p.name << ", const _EmberDims<"
          << R << "> _s_" << p.name;
        break;
      case BoundParam::Scalar: s << ",\n    const " << c_type(p.type) << " " << p.name; break;
      case BoundParam::Raw:
        s << ",\n    const _EmberRaw<" << c_type(p.type) << ", " << std::max(p.raw_ndim, 1) << "> " << p.name;
        break;
    }
  }
  s << ")";
}

// Declares _o_<name> for each array parameter: its element offset at row-major position `pos`.
void offsets(std::ostringstream& s, const UserKernelSource& k, const std::string& pos, const std::string& indent) {
  bool any = false;
  for (const BoundParam& p : k.params)
    if (p.kind == BoundParam::Array) {
      s << indent << "long long _o_" << p.name << " = 0;\n";
      any = true;
    }
  if (!any) return;
  s << indent << "{\n" << indent << "  long long _r = " << pos << ";\n"
    << indent << "  for (int _d = " << k.ndim - 1 << "; _d >= 0; --_d) {\n"
    << indent << "    const long long _c = _r % _shape.v[_d];\n" << indent << "    _r /= _shape.v[_d];\n";
  for (const BoundParam& p : k.params)
    if (p.kind == BoundParam::Array) s << indent << "    _o_" << p.name << " += _c * _s_" << p.name << ".v[_d];\n";
  s << indent << "  }\n" << indent << "}\n";
}

void bind_inputs(std::ostringstream& s, const UserKernelSource& k, const std::string& indent) {
  for (const BoundParam& p : k.params)
    if (p.kind == BoundParam::Array && !p.output)
      s << indent << "const " << c_type(p.type) << " " << p.name << " = static_cast<" << c_type(p.type) << ">(_p_"
        << p.name << "[_o_" << p.name << "]);\n";
}

void bind_outputs(std::ostringstream& s, const UserKernelSource& k, const std::string& indent) {
  for (const BoundParam& p : k.params)
    if (p.kind == BoundParam::Array && p.output)
      s << indent << c_type(p.type) << "& " << p.name << " = _p_" << p.name << "[_o_" << p.name << "];\n";
}

void elementwise_body(std::ostringstream& s, const UserKernelSource& k) {
  s << "  const _EmberIndex _ind = {_n};\n  (void)_ind;\n"
    << "  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < _n;\n"
    << "       i += static_cast<long long>(blockDim.x) * gridDim.x) {\n";
  offsets(s, k, "i", "    ");
  bind_inputs(s, k, "    ");
  bind_outputs(s, k, "    ");
  s << "    " << k.operation << ";\n  }\n";
}

void reduction_body(std::ostringstream& s, const UserKernelSource& k) {
  const bool has_identity = !k.identity.empty();
  s << "  __shared__ _type_reduce _sdata[" << kUserReduceBlock << "];\n";
  if (!has_identity) s << "  __shared__ bool _shas[" << kUserReduceBlock << "];\n";
  s << "  for (long long _j = blockIdx.x; _j < _nout; _j += gridDim.x) {\n";
  if (has_identity) s << "    _type_reduce _acc = static_cast<_type_reduce>(" << k.identity << ");\n";
  else s << "    _type_reduce _acc = _type_reduce();\n    bool _has = false;\n";
  s << "    for (long long _k = threadIdx.x; _k < _L; _k += blockDim.x) {\n";
  offsets(s, k, "_j * _L + _k", "      ");
  bind_inputs(s, k, "      ");
  s << "      const _type_reduce _m = static_cast<_type_reduce>(" << k.map_expr << ");\n";
  if (has_identity) s << "      _acc = REDUCE(_acc, _m);\n";
  else s << "      _acc = _has ? static_cast<_type_reduce>(REDUCE(_acc, _m)) : _m;\n      _has = true;\n";
  s << "    }\n    _sdata[threadIdx.x] = _acc;\n";
  if (!has_identity) s << "    _shas[threadIdx.x] = _has;\n";
  s << "    __syncthreads();\n"
    << "    for (unsigned _w = blockDim.x / 2; _w > 0; _w >>= 1) {\n"
    << "      if (threadIdx.x < _w) {\n"
    << "        const _type_reduce _a = _sdata[threadIdx.x], _b = _sdata[threadIdx.x + _w];\n";
  if (has_identity) {
    s << "        _sdata[threadIdx.x] = REDUCE(_a, _b);\n";
  } else {
    s << "        const bool _ha = _shas[threadIdx.x], _hb = _shas[threadIdx.x + _w];\n"
      << "        if (_ha && _hb) _sdata[threadIdx.x] = REDUCE(_a, _b);\n"
      << "        else if (_hb) _sdata[threadIdx.x] = _b;\n"
      << "        _shas[threadIdx.x] = _ha || _hb;\n";
  }
  s << "      }\n      __syncthreads();\n    }\n"
    << "    if (threadIdx.x == 0) {\n";
  offsets(s, k, "_j * _L", "      ");  // outputs have stride 0 along the reduced dimensions
  bind_outputs(s, k, "      ");
  s << "      const _type_reduce a = _sdata[0];\n      POST_MAP(a);\n    }\n    __syncthreads();\n  }\n";
}

}  // namespace

std::string render_user_kernel(const UserKernelSource& k) {
  std::ostringstream s;
  s << "// ember user " << (k.reduction ? "ReductionKernel" : "ElementwiseKernel") << " '" << k.name << "'\n"
    << kHelpers;
  if (!k.preamble.empty()) s << k.preamble << "\n";
  if (k.reduction) {
    // The user's expressions see `a` and `b` as CuPy's do; parentheses keep them whole.
    s << "#define REDUCE(a, b) (" << k.reduce_expr << ")\n#define POST_MAP(a) (" << k.post_map_expr << ")\n"
      << "typedef " << c_type(k.reduce_type) << " _type_reduce;\n";
  }
  signature(s, k);
  s << " {\n";
  typedefs(s, k.types);
  if (k.reduction) reduction_body(s, k);
  else elementwise_body(s, k);
  s << "}\n";
  return s.str();
}

}  // namespace ember::cuda
