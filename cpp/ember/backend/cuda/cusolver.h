// cuSOLVER's dense API, loaded with dlopen at first use (libcusolver.so.12, then .11), as cuBLAS is:
// one handle per device bound to the device's stream. The LAPACK kernels (ops_linalg.cpp) call the
// 64-bit generic routines (Xpotrf, Xgetrf/Xgetrs, Xgeqrf, Xsyevd, Xgesvd) and the typed orgqr/ungqr.
#pragma once
#include <cusolverDn.h>

#include <string>
#include <vector>

namespace ember::cuda {

struct Context;

struct Cusolver {
#define EMBER_CUSOLVER_FUNCTIONS(X)                                                                           \
  X(cusolverDnCreate) X(cusolverDnSetStream) X(cusolverDnCreateParams) X(cusolverDnXpotrf_bufferSize)         \
  X(cusolverDnXpotrf) X(cusolverDnXgetrf_bufferSize) X(cusolverDnXgetrf) X(cusolverDnXgetrs)                  \
  X(cusolverDnXgeqrf_bufferSize) X(cusolverDnXgeqrf) X(cusolverDnXsyevd_bufferSize) X(cusolverDnXsyevd)       \
  X(cusolverDnXgesvd_bufferSize) X(cusolverDnXgesvd) X(cusolverDnSorgqr_bufferSize) X(cusolverDnSorgqr)       \
  X(cusolverDnDorgqr_bufferSize) X(cusolverDnDorgqr) X(cusolverDnCungqr_bufferSize) X(cusolverDnCungqr)       \
  X(cusolverDnZungqr_bufferSize) X(cusolverDnZungqr)
#define EMBER_CUSOLVER_MEMBER(name) decltype(&::name) name = nullptr;
  EMBER_CUSOLVER_FUNCTIONS(EMBER_CUSOLVER_MEMBER)
#undef EMBER_CUSOLVER_MEMBER
};

// The loaded library's functions; CudaError saying why when it (or a function) is missing.
const Cusolver& cusolver();
// Whether libcusolver loads with every function above (no GPU needed), and why not.
bool cusolver_loadable();
std::string cusolver_why_unavailable();
// The functions above the loaded library lacks (empty when it has them all or did not load).
std::vector<std::string> cusolver_missing();

// The device's handle (bound to its stream) and a default params object.
cusolverDnHandle_t cusolver_handle(const Context& c);
cusolverDnParams_t cusolver_params(const Context& c);
// CudaError naming `call` unless s is CUSOLVER_STATUS_SUCCESS.
void check_solver(cusolverStatus_t s, const char* call);

}  // namespace ember::cuda
