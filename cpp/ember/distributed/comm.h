// The MPI world ember runs in (SPMD: `mpirun -n N python prog.py`). Before init(), or in a process
// not started by mpirun, ember behaves as a world of one rank.
#pragma once
#include <string>

namespace ember::distributed {

// Initializes MPI (thread level MPI_THREAD_MULTIPLE if offered) and registers the collective
// kernels. Does nothing if MPI is already initialized (e.g. by mpi4py); then finalize() leaves it.
void init();
// Finalizes MPI if init() initialized it. Safe to call twice.
void finalize();
bool initialized();  // MPI is up and not finalized
int rank();          // 0 before init()
int size();          // 1 before init()
// Prints `message` to stderr prefixed with this rank and aborts the whole job (MPI_Abort).
[[noreturn]] void abort(const std::string& message, int code = 1);
// Wall-clock seconds (MPI_Wtime once MPI is up), for per-rank timings and traces.
double wtime();

}  // namespace ember::distributed
