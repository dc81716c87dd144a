// Maps ember's C++ exceptions to the Python exceptions NumPy raises, and records the user's source
// line on every node (for error messages and profiles).
#include <Python.h>

#include <string>
#include <unordered_map>
#include <utility>

#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/graph/node.h"

namespace ember::py {
namespace {

struct PairHash {
  size_t operator()(const std::pair<PyCodeObject*, int>& k) const {
    return std::hash<const void*>()(k.first) * 31 + static_cast<size_t>(k.second);
  }
};

std::string g_package_dir;  // frames under this directory belong to ember, not the user

// What a code object says about origins: whether it is ember's own, and its file name.
struct CodeInfo {
  bool ours = false;
  bool has_file = false;
  std::string file;
};

// Every node records its origin, so finding it must cost little: per code object whether it is
// ember's and its file name, and per (code object, instruction offset) the line (Python finds it by
// walking the line table). The caches hold references to their code objects, so an address is never
// reused for another code object while cached; they are emptied when they grow large.
struct OriginCache {
  std::unordered_map<PyCodeObject*, CodeInfo> codes;
  std::unordered_map<std::pair<PyCodeObject*, int>, std::string, PairHash> lines;
};
constexpr size_t kMaxCachedOrigins = 1 << 14;

OriginCache& origin_cache() {
  static auto* c = new OriginCache;  // never freed: at exit the interpreter may be gone
  return *c;
}

const CodeInfo& code_info(PyCodeObject* code) {
  OriginCache& c = origin_cache();
  auto it = c.codes.find(code);
  if (it != c.codes.end()) return it->second;
  if (c.codes.size() >= kMaxCachedOrigins) {
    for (auto& [k, v] : c.codes) Py_DECREF(k);
    c.codes.clear();
  }
  CodeInfo info;
  if (const char* file = PyUnicode_AsUTF8(code->co_filename)) {
    info.has_file = true;
    info.file = file;
    info.ours = !g_package_dir.empty() && info.file.starts_with(g_package_dir);
  } else {
    PyErr_Clear();
  }
  Py_INCREF(code);
  return c.codes.emplace(code, std::move(info)).first->second;
}

// "file.py:12" for the frame, which runs `code` from a file that is not ember's.
std::string frame_origin(PyFrameObject* frame, PyCodeObject* code, const CodeInfo& info) {
#if PY_VERSION_HEX >= 0x030B0000
  OriginCache& c = origin_cache();
  std::pair<PyCodeObject*, int> key{code, PyFrame_GetLasti(frame)};
  auto it = c.lines.find(key);
  if (it != c.lines.end()) return it->second;
  if (c.lines.size() >= kMaxCachedOrigins) {
    for (auto& [k, v] : c.lines) Py_DECREF(k.first);
    c.lines.clear();
  }
  std::string origin = info.file + ":" + std::to_string(PyFrame_GetLineNumber(frame));
  Py_INCREF(code);
  c.lines.emplace(key, origin);
  return origin;
#else
  (void)code;
  return info.file + ":" + std::to_string(PyFrame_GetLineNumber(frame));
#endif
}

std::string user_origin() {
  if (!PyGILState_Check()) return {};  // nodes made by C++ worker code have no Python line
  PyFrameObject* frame = PyEval_GetFrame();  // borrowed
  if (!frame) return {};
  Py_INCREF(frame);
  std::string result;
  while (frame) {
    PyCodeObject* code = PyFrame_GetCode(frame);
    const CodeInfo& info = code_info(code);
    if (info.has_file && !info.ours) {
      result = frame_origin(frame, code, info);
      Py_DECREF(code);
      Py_DECREF(frame);
      break;
    }
    Py_DECREF(code);
    PyFrameObject* back = PyFrame_GetBack(frame);
    Py_DECREF(frame);
    frame = back;
  }
  return result;
}

}  // namespace

void bind_errors(nb::module_& m) {
  m.def("_set_package_dir", [](std::string dir) {
    g_package_dir = std::move(dir);
    for (auto& [code, info] : origin_cache().codes) Py_DECREF(code);  // their `ours` may change
    origin_cache().codes.clear();
    set_origin_provider(&user_origin);
  });
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const AxisError& e) {
      nb::object cls = nb::module_::import_("numpy.exceptions").attr("AxisError");
      PyErr_SetString(cls.ptr(), e.what());
    } catch (const LinAlgError& e) {
      nb::object cls = nb::module_::import_("numpy.linalg").attr("LinAlgError");
      PyErr_SetString(cls.ptr(), e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const OverflowError& e) {
      PyErr_SetString(PyExc_OverflowError, e.what());
    } catch (const NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    }
  });
}

}  // namespace ember::py
