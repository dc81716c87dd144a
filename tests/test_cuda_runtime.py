"""The cuda device's runtime: availability and its reasons, the clear error when no GPU is usable,
the memory pool's statistics, transfers and cuBLAS matmul (GPU tests skip, saying why, without one)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em
from cuda_helpers import BUILT, gpu, needs_build

cuda = em.cuda


# ---- without a GPU (this machine, CI) ----

def test_import_and_availability_agree():
    if cuda.is_available():
        assert cuda.why_unavailable() == ""
        assert cuda.device_count() >= 1
    else:
        why = cuda.why_unavailable()
        assert isinstance(why, str) and len(why) > 20
        assert cuda.device_count() == 0


@needs_build
def test_reason_names_the_missing_piece():
    if cuda.is_available():
        pytest.skip("a GPU is usable here")
    why = cuda.why_unavailable()
    assert any(k in why for k in ("no CUDA driver library", "stub library", "cuInit failed", "reports no devices")), why


@needs_build
@pytest.mark.parametrize("make", [
    lambda: em.asarray(np.arange(6.0), device="cuda"),
    lambda: em.asarray(np.arange(6.0)).to("cuda"),
    lambda: em.asarray([1, 2, 3]).to_device("cuda"),
    lambda: em.zeros((2, 3), device="cuda"),
    lambda: em.full(3, 1.5, device="cuda"),
])
def test_placing_an_array_on_cuda_without_a_gpu_raises_runtime_error_saying_why(make):
    if cuda.is_available():
        pytest.skip("a GPU is usable here")
    with pytest.raises(RuntimeError, match="cuda device is unavailable") as info:
        make()
    assert cuda.why_unavailable() in str(info.value)


@needs_build
def test_default_device_cuda_without_a_gpu_raises_and_keeps_the_default():
    if cuda.is_available():
        pytest.skip("a GPU is usable here")
    before = em._core.get_default_device()
    with pytest.raises(RuntimeError, match="unavailable"):
        with em.default_device("cuda"):
            pass
    assert em._core.get_default_device() == before
    assert float(em.asarray([1.0, 2.0]).sum()) == 3.0  # the cpu still works


def test_unknown_device_still_a_value_error():
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        em.asarray([1.0], device="gpu")


@needs_build
def test_cuda_kernels_are_registered_without_a_driver():
    names = em._core.kernel_names("cuda")
    for op in ("to_device", "matmul", "as_strided"):
        assert op in names


def test_memory_stats_and_empty_cache_without_use():
    s = cuda.memory_stats()
    keys = {"allocated_bytes", "requested_bytes", "cached_bytes", "reserved_bytes", "peak_allocated_bytes",
            "peak_reserved_bytes", "num_allocs", "num_frees", "cache_hits", "device_allocs", "device_frees",
            "oom_retries"}
    assert set(s) == keys
    if not cuda.is_available():
        assert all(v == 0 for v in s.values())
    cuda.empty_cache()
    cuda.synchronize()


@pytest.mark.parametrize("bad", [-1, "0", 1.5, True])
def test_memory_stats_rejects_bad_devices(bad):
    if not BUILT:
        pytest.skip("this build of ember has no cuda device")
    with pytest.raises(ValueError, match="memory_stats"):
        cuda.memory_stats(bad)


def test_device_queries_without_a_gpu_raise_runtime_error():
    if cuda.is_available():
        pytest.skip("a GPU is usable here")
    for f in (cuda.current_device, cuda.compute_capability, cuda.get_device_name, lambda: cuda.set_device(0)):
        with pytest.raises(RuntimeError, match="unavailable"):
            f()


def _fresh_why(env_update):
    env = dict(os.environ, **env_update)
    code = "import ember as em; print(em.cuda.is_available()); print(em.cuda.why_unavailable())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


@needs_build
def test_the_toolkits_stub_library_is_named_in_a_fresh_process():
    stubs = "/usr/local/cuda/lib64/stubs"
    if not os.path.exists(os.path.join(stubs, "libcuda.so")):
        pytest.skip("no CUDA toolkit stub library here")
    if cuda.is_available():
        pytest.skip("a real driver is installed: libcuda.so.1 would win over the stub")
    lines = _fresh_why({"LD_LIBRARY_PATH": stubs + os.pathsep + os.environ.get("LD_LIBRARY_PATH", "")})
    assert lines[0] == "False"
    assert "CUDA_ERROR_STUB_LIBRARY" in lines[1] and "stub library" in lines[1], lines


# ---- on a GPU ----

DTYPES = ["bool", "int8", "uint16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]
SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 0, 4), (4, 3, 2)]


def _sample(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 50
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_round_trip_matches_numpy(shape, dtype):
    gpu()
    a = _sample(shape, dtype)
    x = em.asarray(a, device="cuda")
    assert x.device == "cuda"
    back = x.to("cpu").numpy()
    assert back.dtype == a.dtype and back.shape == a.shape
    np.testing.assert_array_equal(back, a)


@pytest.mark.parametrize("view", [
    lambda a: a[::2], lambda a: a[::-1], lambda a: a[1:-1, ::-3], lambda a: a.T, lambda a: a[:, 2],
])
def test_strided_windows_both_ways(view):
    gpu()
    a = _sample((9, 8), "float64", seed=3)
    # host view -> device (packed), and device view -> host (its span, strides kept)
    np.testing.assert_array_equal(em.asarray(view(a), device="cuda").numpy(), view(a))
    np.testing.assert_array_equal(view(em.asarray(a, device="cuda")).numpy(), view(a))


def test_large_transfer_crosses_the_staging_buffers():
    gpu()
    a = np.arange(3_000_017, dtype=np.float64) * 0.5  # 24 MB: three 8 MiB staging chunks and a tail
    np.testing.assert_array_equal(em.asarray(a, device="cuda").numpy(), a)


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-4), ("float64", 1e-12)])
@pytest.mark.parametrize("sa,sb", [
    ((5, 7), (7, 3)), ((1, 4), (4, 1)), ((6, 0), (0, 2)), ((0, 3), (3, 4)),
    ((4, 5, 6), (4, 6, 2)),          # stacked: strided-batched gemm
    ((2, 1, 3, 4), (1, 3, 4, 5)),    # broadcast batch: irregular offsets, one gemm each
    ((3, 4, 5), (5, 2)),             # one matrix against a stack (stride 0)
    ((7,), (7, 3)), ((4, 7), (7,)),  # vectors
])
def test_matmul_matches_numpy(sa, sb, dtype, tol):
    gpu()
    a, b = _sample(sa, dtype, 1), _sample(sb, dtype, 2)
    got = (em.asarray(a, device="cuda") @ em.asarray(b, device="cuda")).numpy()
    want = a @ b
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * 100)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_of_transposed_views_reads_them_in_place(dtype):
    gpu()
    a, b = _sample((6, 4), dtype, 4), _sample((5, 6), dtype, 5)
    x, y = em.asarray(a, device="cuda"), em.asarray(b, device="cuda")
    np.testing.assert_allclose((x.T @ y.T).numpy(), a.T @ b.T, rtol=1e-4)


def test_matmul_of_an_integer_dtype_says_it_is_not_implemented():
    gpu()
    x = em.asarray(np.ones((2, 2), np.int32), device="cuda")
    with pytest.raises(NotImplementedError, match="matmul"):
        (x @ x).numpy()


def test_memory_pool_counts_and_reuses():
    gpu()
    em.eval()
    cuda.synchronize()
    cuda.empty_cache()
    s0 = cuda.memory_stats()
    x = em.asarray(np.ones(1000), device="cuda")
    em.eval(x)
    s1 = cuda.memory_stats()
    assert s1["num_allocs"] == s0["num_allocs"] + 1
    assert s1["allocated_bytes"] >= s0["allocated_bytes"] + 8000
    del x
    import gc
    gc.collect()
    s2 = cuda.memory_stats()
    assert s2["cached_bytes"] >= 8000
    y = em.asarray(np.ones(1000), device="cuda")
    em.eval(y)
    assert cuda.memory_stats()["cache_hits"] == s2["cache_hits"] + 1
    del y
    gc.collect()
    cuda.empty_cache()
    assert cuda.memory_stats()["cached_bytes"] == 0
    assert cuda.compute_capability()[0] >= 5
    assert isinstance(cuda.get_device_name(), str)
