"""Run under mpirun by tests/test_distributed.py: rank 1 raises while the others wait in a
collective. The job must end (MPI_Abort) with rank 1's message and a non-zero exit code."""
import ember as em
import ember.distributed as dist

dist.init()
if dist.rank() == 1:
    raise RuntimeError("rank one failed on purpose")
print(float(dist.all_sum(em.ones(3)).sum()))  # the other ranks wait here until the abort
