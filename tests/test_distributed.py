"""Runs tests/distributed under `mpirun -n 2` and `mpirun -n 4 --oversubscribe`, checks the failure
behaviour (an exception on one rank aborts the job, no hang), and that the distributed examples give
the single-process results. Skips only if `mpirun` is absent."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import ember
import ember.distributed as dist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPIRUN = shutil.which("mpirun")
pytestmark = pytest.mark.skipif(MPIRUN is None, reason="mpirun not found (install openmpi-bin)")


def _env():
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_orte_base_help_aggregate="0", OMPI_MCA_mpi_yield_when_idle="1")
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([pkg_parent, os.path.join(ROOT, "tests")] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _python():
    return [sys.executable] + (["-S"] if sys.flags.no_site else [])


def mpirun(n, args, timeout):
    cmd = [MPIRUN, "-n", str(n), "--oversubscribe"] + _python() + args
    return subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout)


def _needs_mpi_build():
    if not dist.is_available():
        pytest.skip("ember was built without MPI (EMBER_MPI=OFF): nothing distributed to run")


@pytest.mark.parametrize("n", [2, 4])
def test_distributed_suite_under_mpirun(n):
    _needs_mpi_build()
    p = mpirun(n, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/distributed"], timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-6000:]
    summaries = re.findall(r"(\d+) passed", out)
    assert len(summaries) == n, out[-3000:]  # one summary per rank
    assert len(set(summaries)) == 1 and int(summaries[0]) > 200
    assert "failed" not in out


def test_exception_on_one_rank_aborts_the_job():
    _needs_mpi_build()
    p = mpirun(2, [os.path.join("tests", "distributed", "abort_script.py")], timeout=120)  # a hang times out
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "[ember rank 1/2]" in out and "rank one failed on purpose" in out, out


@pytest.mark.parametrize("example", ["distributed_kmeans.py", "distributed_logreg.py"])
def test_examples_match_single_process(example):
    _needs_mpi_build()
    path = os.path.join(ROOT, "examples", example)
    args = [path, "--small"]
    single = subprocess.run(_python() + args, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr[-3000:]
    p = mpirun(2, args, timeout=300)
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    expect = re.search(r"RESULT (.*)", single.stdout).group(1)
    got = re.findall(r"RESULT (.*)", p.stdout)
    assert got == [expect], (got, expect)  # printed by rank 0 only
