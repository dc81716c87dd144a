// The LAPACK routines the cpu device calls, declared here (Fortran ABI, 32-bit integers as Debian's
// libopenblas provides) so the build needs no LAPACKE, and one traits struct per type that picks the
// s/d/c/z routine. Hidden trailing size_t arguments are the lengths of the character arguments.
#pragma once
#include <complex>
#include <cstddef>

namespace ember::cpu {

using lapack_int = int;
using cf = std::complex<float>;
using cd = std::complex<double>;

extern "C" {
#define EMBER_GETRF(p, T) void p##getrf_(const int*, const int*, T*, const int*, int*, int*);
#define EMBER_GETRS(p, T) \
  void p##getrs_(const char*, const int*, const int*, const T*, const int*, const int*, T*, const int*, int*, size_t);
#define EMBER_POTRF(p, T) void p##potrf_(const char*, const int*, T*, const int*, int*, size_t);
#define EMBER_GEQRF(p, T) void p##geqrf_(const int*, const int*, T*, const int*, T*, T*, const int*, int*);
EMBER_GETRF(s, float) EMBER_GETRF(d, double) EMBER_GETRF(c, cf) EMBER_GETRF(z, cd)
EMBER_GETRS(s, float) EMBER_GETRS(d, double) EMBER_GETRS(c, cf) EMBER_GETRS(z, cd)
EMBER_POTRF(s, float) EMBER_POTRF(d, double) EMBER_POTRF(c, cf) EMBER_POTRF(z, cd)
EMBER_GEQRF(s, float) EMBER_GEQRF(d, double) EMBER_GEQRF(c, cf) EMBER_GEQRF(z, cd)
#undef EMBER_GETRF
#undef EMBER_GETRS
#undef EMBER_POTRF
#undef EMBER_GEQRF
void sorgqr_(const int*, const int*, const int*, float*, const int*, const float*, float*, const int*, int*);
void dorgqr_(const int*, const int*, const int*, double*, const int*, const double*, double*, const int*, int*);
void cungqr_(const int*, const int*, const int*, cf*, const int*, const cf*, cf*, const int*, int*);
void zungqr_(const int*, const int*, const int*, cd*, const int*, const cd*, cd*, const int*, int*);
void ssyevd_(const char*, const char*, const int*, float*, const int*, float*, float*, const int*, int*, const int*,
             int*, size_t, size_t);
void dsyevd_(const char*, const char*, const int*, double*, const int*, double*, double*, const int*, int*,
             const int*, int*, size_t, size_t);
void cheevd_(const char*, const char*, const int*, cf*, const int*, float*, cf*, const int*, float*, const int*, int*,
             const int*, int*, size_t, size_t);
void zheevd_(const char*, const char*, const int*, cd*, const int*, double*, cd*, const int*, double*, const int*,
             int*, const int*, int*, size_t, size_t);
void sgesdd_(const char*, const int*, const int*, float*, const int*, float*, float*, const int*, float*, const int*,
             float*, const int*, int*, int*, size_t);
void dgesdd_(const char*, const int*, const int*, double*, const int*, double*, double*, const int*, double*,
             const int*, double*, const int*, int*, int*, size_t);
void cgesdd_(const char*, const int*, const int*, cf*, const int*, float*, cf*, const int*, cf*, const int*, cf*,
             const int*, float*, int*, int*, size_t);
void zgesdd_(const char*, const int*, const int*, cd*, const int*, double*, cd*, const int*, cd*, const int*, cd*,
             const int*, double*, int*, int*, size_t);
}

template <class T> struct Lapack;

// R is the real type; complex routines take an extra real workspace (rwork), real ones ignore it.
#define EMBER_LAPACK_COMMON(p, T)                                                                          \
  static void getrf(int m, int n, T* a, int lda, int* ipiv, int* info) { p##getrf_(&m, &n, a, &lda, ipiv, info); } \
  static void getrs(int n, int nrhs, const T* a, int lda, const int* ipiv, T* b, int ldb, int* info) {     \
    p##getrs_("N", &n, &nrhs, a, &lda, ipiv, b, &ldb, info, 1);                                            \
  }                                                                                                        \
  static void potrf(char uplo, int n, T* a, int lda, int* info) { p##potrf_(&uplo, &n, a, &lda, info, 1); } \
  static void geqrf(int m, int n, T* a, int lda, T* tau, T* work, int lwork, int* info) {                  \
    p##geqrf_(&m, &n, a, &lda, tau, work, &lwork, info);                                                   \
  }

template <> struct Lapack<float> {
  using R = float;
  EMBER_LAPACK_COMMON(s, float)
  static void orgqr(int m, int n, int k, float* a, int lda, const float* tau, float* w, int lw, int* info) {
    sorgqr_(&m, &n, &k, a, &lda, tau, w, &lw, info);
  }
  static void heevd(char jobz, int n, float* a, int lda, float* wv, float* w, int lw, float*, int, int* iw, int liw,
                    int* info) {
    ssyevd_(&jobz, "L", &n, a, &lda, wv, w, &lw, iw, &liw, info, 1, 1);
  }
  static void gesdd(char jobz, int m, int n, float* a, int lda, float* s, float* u, int ldu, float* vt, int ldvt,
                    float* w, int lw, float*, int* iw, int* info) {
    sgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, w, &lw, iw, info, 1);
  }
};
template <> struct Lapack<double> {
  using R = double;
  EMBER_LAPACK_COMMON(d, double)
  static void orgqr(int m, int n, int k, double* a, int lda, const double* tau, double* w, int lw, int* info) {
    dorgqr_(&m, &n, &k, a, &lda, tau, w, &lw, info);
  }
  static void heevd(char jobz, int n, double* a, int lda, double* wv, double* w, int lw, double*, int, int* iw,
                    int liw, int* info) {
    dsyevd_(&jobz, "L", &n, a, &lda, wv, w, &lw, iw, &liw, info, 1, 1);
  }
  static void gesdd(char jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu, double* vt, int ldvt,
                    double* w, int lw, double*, int* iw, int* info) {
    dgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, w, &lw, iw, info, 1);
  }
};
template <> struct Lapack<cf> {
  using R = float;
  EMBER_LAPACK_COMMON(c, cf)
  static void orgqr(int m, int n, int k, cf* a, int lda, const cf* tau, cf* w, int lw, int* info) {
    cungqr_(&m, &n, &k, a, &lda, tau, w, &lw, info);
  }
  static void heevd(char jobz, int n, cf* a, int lda, float* wv, cf* w, int lw, float* rw, int lrw, int* iw, int liw,
                    int* info) {
    cheevd_(&jobz, "L", &n, a, &lda, wv, w, &lw, rw, &lrw, iw, &liw, info, 1, 1);
  }
  static void gesdd(char jobz, int m, int n, cf* a, int lda, float* s, cf* u, int ldu, cf* vt, int ldvt, cf* w,
                    int lw, float* rw, int* iw, int* info) {
    cgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, w, &lw, rw, iw, info, 1);
  }
};
template <> struct Lapack<cd> {
  using R = double;
  EMBER_LAPACK_COMMON(z, cd)
  static void orgqr(int m, int n, int k, cd* a, int lda, const cd* tau, cd* w, int lw, int* info) {
    zungqr_(&m, &n, &k, a, &lda, tau, w, &lw, info);
  }
  static void heevd(char jobz, int n, cd* a, int lda, double* wv, cd* w, int lw, double* rw, int lrw, int* iw,
                    int liw, int* info) {
    zheevd_(&jobz, "L", &n, a, &lda, wv, w, &lw, rw, &lrw, iw, &liw, info, 1, 1);
  }
  static void gesdd(char jobz, int m, int n, cd* a, int lda, double* s, cd* u, int ldu, cd* vt, int ldvt, cd* w,
                    int lw, double* rw, int* iw, int* info) {
    zgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, w, &lw, rw, iw, info, 1);
  }
};
#undef EMBER_LAPACK_COMMON

}  // namespace ember::cpu
