#include "ember/backend/cuda/dynlib.h"

#include <dlfcn.h>

namespace ember::cuda {

DynLib::DynLib(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    handle_ = dlopen(n, RTLD_NOW | RTLD_LOCAL);
    if (handle_) {
      name_ = n;
      error_.clear();
      return;
    }
    const char* why = dlerror();
    error_ += (error_.empty() ? "" : "; ") + std::string(why ? why : n);
  }
}

DynLib::~DynLib() {
  // Left open on purpose: the driver and NVRTC register atexit work that must not outlive them.
}

void* DynLib::raw(const char* symbol) const { return handle_ ? dlsym(handle_, symbol) : nullptr; }

}  // namespace ember::cuda
