#include "ember/distributed/comm.h"

#include "ember/graph/eval.h"

#include <mpi.h>

#include <chrono>
#include <cstdio>

namespace ember::distributed {

void register_kernels();  // kernels.cpp

namespace {
bool we_initialized = false;
}  // namespace

bool initialized() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

void init() {
  register_kernels();
  int init_done = 0, fin = 0;
  MPI_Initialized(&init_done);
  MPI_Finalized(&fin);
  if (init_done || fin) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  // Errors come back as codes, so a failing collective raises instead of killing the job silently.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  we_initialized = true;
}

void finalize() {
  // Work started by em.eval may still be running collectives on a worker thread: it finishes
  // before MPI goes away (its errors were the program's to see; at exit they are dropped).
  try {
    ember::eval({});
  } catch (...) {
  }
  if (we_initialized && initialized()) MPI_Finalize();
  we_initialized = false;
}

int rank() {
  if (!initialized()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  if (!initialized()) return 1;
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

void abort(const std::string& message, int code) {
  std::fprintf(stderr, "[ember rank %d/%d] %s\n", rank(), size(), message.c_str());
  std::fflush(stderr);
  if (initialized()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

double wtime() {
  if (initialized()) return MPI_Wtime();
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace ember::distributed
