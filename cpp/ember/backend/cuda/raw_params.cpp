#include "ember/backend/cuda/raw_params.h"

#include <cctype>
#include <cstring>
#include <set>

#include "ember/errors.h"

namespace ember::cuda {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r"), e = s.find_last_not_of(" \t\n\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s + " ") {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

}  // namespace

std::vector<RawParam> parse_params(const std::string& text) {
  std::vector<RawParam> out;
  if (trim(text).empty()) return out;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    std::vector<std::string> w = words(item);
    RawParam p;
    if (!w.empty() && w[0] == "raw") {
      p.raw = true;
      w.erase(w.begin());
    }
    if (w.size() != 2)
      throw ValueError("kernel parameter '" + item + "': expected '[raw] TYPE NAME' (e.g. 'float32 x', 'raw T y')");
    p.type = w[0];
    p.name = w[1];
    if (!is_identifier(p.name)) throw ValueError("kernel parameter '" + item + "': '" + p.name + "' is not a C identifier");
    if (p.name == "i" || p.name.rfind("_", 0) == 0)
      throw ValueError("kernel parameter '" + item + "': the name '" + p.name +
                       "' is reserved ('i' is the element index; names starting with '_' are ember's)");
    if (!seen.insert(p.name).second) throw ValueError("kernel parameter '" + p.name + "' appears twice");
    if (p.type.size() == 1 && std::isalpha(static_cast<unsigned char>(p.type[0]))) {
      p.placeholder = true;
    } else {
      try {
        p.dtype = dtype_from_name(p.type);
      } catch (const TypeError&) {
        throw ValueError("kernel parameter '" + item + "': unknown type '" + p.type +
                         "' (a dtype name such as float32, or a one-letter placeholder such as T)");
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

TypeMap bind_types(const std::vector<RawParam>& params, const std::vector<ArgType>& args) {
  if (args.size() != params.size()) throw std::logic_error("bind_types: one argument per parameter");
  TypeMap types;
  std::map<std::string, std::string> bound_by;
  for (int pass = 0; pass < 2; ++pass) {  // arrays bind first; scalars only what arrays left open
    for (size_t k = 0; k < params.size(); ++k) {
      const RawParam& p = params[k];
      const ArgType& a = args[k];
      if (!p.placeholder || a.kind == ArgType::Absent) continue;
      if ((pass == 0) != (a.kind == ArgType::Array)) continue;
      auto it = types.find(p.type);
      if (it == types.end()) {
        types[p.type] = a.dtype;
        bound_by[p.type] = p.name;
      } else if (pass == 0 && it->second != a.dtype) {
        throw TypeError("type placeholder " + p.type + " is " + std::string(dtype_name(it->second)) + " from '" +
                        bound_by[p.type] + "' but " + std::string(dtype_name(a.dtype)) + " from '" + p.name + "'");
      }
    }
  }
  for (const RawParam& p : params) param_dtype(p, types);  // every placeholder must be bound now
  return types;
}

DType param_dtype(const RawParam& p, const TypeMap& types) {
  if (!p.placeholder) return p.dtype;
  auto it = types.find(p.type);
  if (it == types.end())
    throw TypeError("cannot tell the dtype of '" + p.name + "' (type placeholder " + p.type +
                    " is bound by no argument): pass an array for it");
  return it->second;
}

std::string c_type(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int8: return "signed char";
    case DType::Int16: return "short";
    case DType::Int32: return "int";
    case DType::Int64: return "long long";
    case DType::UInt8: return "unsigned char";
    case DType::UInt16: return "unsigned short";
    case DType::UInt32: return "unsigned int";
    case DType::UInt64: return "unsigned long long";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    default:
      throw NotImplementedError("user cuda kernels do not support dtype " + std::string(dtype_name(t)) +
                                " yet (bool, integers, float32 and float64 are supported)");
  }
}

std::string scalar_bytes(const Scalar& s, DType t) {
  return dispatch_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    T v = s.as<T>();
    std::string out(sizeof(T), '\0');
    std::memcpy(out.data(), &v, sizeof(T));
    return out;
  });
}

Scalar scalar_from_bytes(const std::string& bytes, DType t) {
  if (bytes.size() != static_cast<size_t>(itemsize(t)))
    throw ValueError("a scalar of " + std::string(dtype_name(t)) + " needs " + std::to_string(itemsize(t)) + " bytes");
  return dispatch_dtype(t, [&](auto tag) -> Scalar {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, bytes.data(), sizeof(T));
    if constexpr (std::is_same_v<T, bool>) return Scalar(v);
    else if constexpr (is_complex_v<T>) return Scalar(std::complex<double>(v));
    else if constexpr (is_half_v<T>) return Scalar(static_cast<double>(static_cast<float>(v)));
    else if constexpr (std::is_floating_point_v<T>) return Scalar(static_cast<double>(v));
    else if constexpr (std::is_unsigned_v<T>) return Scalar(static_cast<uint64_t>(v));
    else return Scalar(static_cast<int64_t>(v));
  });
}

}  // namespace ember::cuda
