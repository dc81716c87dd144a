// Maps ember's C++ exceptions to the Python exceptions NumPy raises, and records the user's source
// line on every node (for error messages and profiles).
#include <Python.h>

#include <string>

#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/graph/node.h"

namespace ember::py {
namespace {

std::string g_package_dir;  // frames under this directory belong to ember, not the user

std::string user_origin() {
  if (!PyGILState_Check()) return {};  // nodes made by C++ worker code have no Python line
  PyFrameObject* frame = PyEval_GetFrame();  // borrowed
  if (!frame) return {};
  Py_INCREF(frame);
  std::string result;
  while (frame) {
    PyCodeObject* code = PyFrame_GetCode(frame);
    const char* file = PyUnicode_AsUTF8(code->co_filename);
    bool ours = file && !g_package_dir.empty() && std::string_view(file).starts_with(g_package_dir);
    if (file && !ours) {
      result = std::string(file) + ":" + std::to_string(PyFrame_GetLineNumber(frame));
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
