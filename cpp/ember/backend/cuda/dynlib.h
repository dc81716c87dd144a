// A shared library opened with dlopen at first use. The cuda device loads the CUDA driver, NVRTC and
// cuBLAS this way so that `import ember` works on machines without a GPU, a driver or a toolkit.
#pragma once
#include <initializer_list>
#include <string>

namespace ember::cuda {

class DynLib {
 public:
  // Opens the first of `names` that loads (e.g. {"libcuda.so.1", "libcuda.so"}); if none does,
  // ok() is false and error() says what each attempt reported.
  DynLib(std::initializer_list<const char*> names);
  ~DynLib();
  DynLib(const DynLib&) = delete;
  DynLib& operator=(const DynLib&) = delete;

  bool ok() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }  // the name that opened

  // The address of `symbol` cast to F, or nullptr when the library lacks it (or did not open).
  template <class F>
  F get(const char* symbol) const {
    return reinterpret_cast<F>(raw(symbol));
  }

 private:
  void* raw(const char* symbol) const;
  void* handle_ = nullptr;
  std::string name_, error_;
};

}  // namespace ember::cuda
