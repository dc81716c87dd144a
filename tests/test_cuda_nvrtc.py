"""The cuda device's NVRTC side without a GPU: compiling CUDA C++ (errors carry NVRTC's log) and the
NVRTC check (EMBER_NVRTC_CHECK=1), which renders every fused Kernel the cpu runs as the cuda device
would and compiles it. Running the kernels needs a GPU and is tested with the cuda device."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em

cuda = getattr(em._core, "cuda", None)
if cuda is None or not hasattr(cuda, "nvrtc_available"):
    pytest.skip("ember was built without the cuda device", allow_module_level=True)
if not cuda.nvrtc_available():
    pytest.skip("NVRTC (libnvrtc.so) is not installed on this machine", allow_module_level=True)

GOOD = 'extern "C" __global__ void twice(float* x, int n) { int i = threadIdx.x; if (i < n) x[i] *= 2.0f; }\n'


def test_compile_gives_a_cubin():
    cubin = cuda.compile(GOOD, "sm_90")
    assert isinstance(cubin, bytes) and cubin[:4] == b"\x7fELF"
    assert cuda.nvrtc_version() >= 12000


def test_compile_error_raises_with_the_log():
    with pytest.raises(RuntimeError, match="not_declared_anywhere") as info:
        cuda.compile('extern "C" __global__ void k(float* x) { x[0] = not_declared_anywhere; }', "sm_90",
                     name="broken_kernel.cu")
    assert "broken_kernel.cu" in str(info.value)


def test_unknown_architecture_raises():
    with pytest.raises(RuntimeError):
        cuda.compile(GOOD, "sm_1")


@pytest.fixture
def check():
    was = cuda.nvrtc_check_enabled()
    cuda.nvrtc_check(True)
    yield cuda
    cuda.nvrtc_check_flush()
    cuda.nvrtc_check(was)


def run(expr, *arrays):
    got = expr(*[em.asarray(a) for a in arrays])
    return np.asarray(got.numpy() if hasattr(got, "numpy") else got)


EXPRS = [
    (lambda a, b: em.exp(-a) * b + a / (1 + b * b), "float64"),
    (lambda a, b: em.sum(a * b, axis=1), "float32"),
    (lambda a, b: em.max(em.abs(a - b)), "float64"),
    (lambda a, b: em.where(a > b, a, b) * 2, "int64"),
    (lambda a, b: (a // (b + 7)) % 5, "int32"),
    (lambda a, b: em.min(a - 1, axis=0), "float64"),
    (lambda a, b: (a > 0) & (b < 0), "float32"),
]


@pytest.mark.parametrize("expr,dtype", EXPRS)
def test_check_compiles_each_fused_kernel_once(check, expr, dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((6, 9)) * 10).astype(dtype)
    b = (rng.standard_normal((6, 9)) * 10).astype(dtype)
    before = check.nvrtc_check_stats()
    first = run(expr, a, b)
    check.nvrtc_check_flush()
    mid = check.nvrtc_check_stats()
    assert mid["seen"] > before["seen"]
    assert mid["compiled"] >= before["compiled"]  # (0 new when an earlier test compiled the same source)
    assert mid["failed"] == 0
    # The check watches; the cpu still computes: results are those of the unchecked run.
    cuda.nvrtc_check(False)
    plain = run(expr, a, b)
    cuda.nvrtc_check(True)
    np.testing.assert_array_equal(first, plain)
    # The same kernel again: seen, not compiled again.
    run(expr, a, b)
    check.nvrtc_check_flush()
    after = check.nvrtc_check_stats()
    assert after["seen"] > mid["seen"]
    assert after["unique"] == mid["unique"]
    assert after["compiled"] == mid["compiled"]


def test_check_sources_depend_on_structure_not_extent(check):
    x = np.arange(12.0).reshape(3, 4)
    run(lambda a: em.sqrt(a) * 3.5 + a, x)
    check.nvrtc_check_flush()
    s0 = check.nvrtc_check_stats()
    run(lambda a: em.sqrt(a) * 3.5 + a, np.arange(500.0))  # another extent, same structure
    check.nvrtc_check_flush()
    assert check.nvrtc_check_stats()["unique"] == s0["unique"]
    run(lambda a: (lambda v: em.sqrt(v) * 3.5 + v)(a[:, ::-1]), x)  # a reversed view: a strided input
    check.nvrtc_check_flush()
    assert check.nvrtc_check_stats()["unique"] == s0["unique"] + 1
    assert check.nvrtc_check_count() == check.nvrtc_check_stats()["compiled"]


def test_environment_variable_turns_the_check_on(tmp_path):
    prog = (
        "import numpy as np, ember as em\n"
        "a = em.asarray(np.linspace(0, 1, 100))\n"
        "float(em.sum(em.exp(a) * 2 + a))\n"
        "(em.sin(a) - a).numpy()\n"
        "em._core.cuda.nvrtc_check_flush()\n"
        "s = em._core.cuda.nvrtc_check_stats()\n"
        "print(em._core.cuda.nvrtc_check_enabled(), s['compiled'], s['failed'])\n"
    )
    env = dict(os.environ, EMBER_NVRTC_CHECK="1")
    out = subprocess.run([sys.executable, "-c", prog], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    enabled, compiled, failed = out.stdout.split()
    assert enabled == "True" and int(compiled) >= 2 and failed == "0"
