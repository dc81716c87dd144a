"""These tests run in one process (size() == 1) and, through tests/test_distributed.py, under
`mpirun -n 2` and `mpirun -n 4`. Every rank computes the NumPy reference on the whole data itself.
A test failing on one rank aborts the whole job (MPI_Abort), so the other ranks never wait forever."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))  # tests/helpers.py

import ember.distributed as dist  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and dist.size() > 1:
        dist.abort(f"test {item.nodeid} failed on rank {dist.rank()}:\n{report.longreprtext}")
