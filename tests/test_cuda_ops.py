"""Ops on the cuda device: fused Kernels (elementwise chains, reductions), creation, random numbers,
writes into views, concatenation, any/all, argmax/argmin and scans, against NumPy over dtypes and
awkward shapes. Without a GPU the tests that launch kernels skip, naming why; what needs no GPU
(registration, the clear errors) runs everywhere."""
import numpy as np
import pytest

import ember as em
from cuda_helpers import close, gpu, needs_build, on_gpu, sample

cuda = em.cuda


# ---- without a GPU ----

COVERED = ["any", "all", "arange", "argmax", "argmin", "concat", "cumprod", "cumsum", "eye", "linspace",
           "random", "set_view", "as_strided", "matmul", "to_device", "gather", "scatter", "vector_norm",
           "cholesky", "det", "eigh", "inv", "qr", "slogdet", "solve", "svd", "linalg_conj", "linalg_output",
           "sort", "argsort", "searchsorted", "nonzero", "nonzero_count", "repeat_indices", "unique_gather",
           "unique_info"]


@needs_build
def test_op_kernels_are_registered_without_a_driver():
    names = set(em._core.kernel_names("cuda"))
    missing = [op for op in COVERED if op not in names]
    assert not missing, missing


@needs_build
def test_unavailable_device_raises_a_clear_error():
    if cuda.is_available():
        pytest.skip("a GPU is usable here")
    with pytest.raises(RuntimeError, match="cuda device is unavailable"):
        em.asarray(np.arange(3.0), device="cuda").numpy()


# ---- on a GPU ----

DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]
SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 1, 4), (1000, 3), (3, 0, 2)]


def tol(dtype):
    return {np.float16: 2e-3, np.float32: 2e-6, np.complex64: 2e-6}.get(dtype, 1e-12)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float16, np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("shape", SHAPES)
def test_fused_elementwise_chain(shape, dtype):
    gpu()
    a, b = sample(shape, dtype, 1), sample(shape, dtype, 2)
    x, y = on_gpu(a), on_gpu(b)
    close((x * y + x) - y * 2, (a * b + a) - b * np.asarray(2, dtype), rtol=tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_single_ops_and_casts(dtype):
    gpu()
    a = sample((4, 6), dtype)
    x = on_gpu(a)
    close(-x if dtype != np.bool_ else ~x, -a if dtype != np.bool_ else ~a)
    close(x.astype(np.float64), a.astype(np.float64))
    close(em.equal(x, x), a == a)


def test_broadcast_strided_and_reversed_views():
    gpu()
    a = np.arange(60.0).reshape(3, 4, 5)
    b = np.arange(5.0)
    x, y = on_gpu(a), on_gpu(b)
    close(x[:, ::-1, ::2] + y[::2], a[:, ::-1, ::2] + b[::2])
    close(x.T * 2.5, a.T * 2.5)


def test_integer_negative_power_raises_value_error():
    gpu()
    x = on_gpu(np.array([2, 3], np.int64))
    with pytest.raises(ValueError, match="negative integer powers"):
        (x ** on_gpu(np.array([1, -1], np.int64))).numpy()


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("shape,axis", [((1000,), None), ((5, 7), 0), ((5, 7), 1), ((2, 3, 4), (0, 2)),
                                        ((1, 1 << 20), 1), ((3, 0), 1)])
def test_reductions(op, dtype, shape, axis):
    gpu()
    a = sample(shape, dtype, 3)
    if op == "prod":
        a = (np.abs(a) % 3 + 1).astype(dtype) if np.dtype(dtype).kind == "i" else np.clip(a, 0.5, 1.5).astype(dtype)
    if op in ("max", "min") and 0 in shape:
        return
    ref = getattr(np, op)(a, axis=axis)
    close(getattr(em, op)(on_gpu(a), axis=axis), ref, rtol=1e-4 if dtype == np.float32 else 1e-10)


def test_fused_chain_with_reduction_and_nan():
    gpu()
    a = np.linspace(-1, 1, 10001)
    a[17] = np.nan
    close(em.max(on_gpu(a) * 2), np.max(a * 2))
    close(em.sum(em.exp(on_gpu(a[18:])), keepdims=True), np.sum(np.exp(a[18:]), keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float64, np.complex64])
def test_any_all(dtype):
    gpu()
    a = sample((6, 5), dtype)
    a.flat[::4] = 0
    for axis in (None, 0, 1):
        close(em.any(on_gpu(a), axis=axis), np.any(a, axis=axis))
        close(em.all(on_gpu(a), axis=axis), np.all(a, axis=axis))


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint64, np.float16, np.float32, np.float64, np.complex128])
def test_argmax_argmin(dtype):
    gpu()
    a = sample((7, 300), dtype)
    a[2, 5] = a[2, 100]  # a tie: the first index wins
    for axis in (None, 0, 1):
        close(em.argmax(on_gpu(a), axis=axis), np.argmax(a, axis=axis))
        close(em.argmin(on_gpu(a), axis=axis), np.argmin(a, axis=axis))
    if np.dtype(dtype).kind == "f":
        a[3, 7] = np.nan
        close(em.argmax(on_gpu(a), axis=1), np.argmax(a, axis=1))


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("shape,axis", [((1000,), None), ((4, 700), 1), ((300, 3), 0), ((2, 0, 3), 1)])
def test_scans(op, dtype, shape, axis):
    gpu()
    a = sample(shape, dtype, 4)
    if op == "cumprod":
        a = (np.abs(a) % 2 + 1).astype(dtype) if np.dtype(dtype).kind == "i" else (a / 40 + 1).astype(dtype)
    ref = getattr(np, op)(a, axis=axis)
    close(getattr(em, op)(on_gpu(a), axis=axis), ref, rtol=1e-4 if dtype in (np.float32,) else 1e-9)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float16, np.float32, np.float64, np.complex64])
def test_creation(dtype):
    gpu()
    with em.default_device("cuda"):
        close(em.zeros((3, 4), dtype=dtype), np.zeros((3, 4), dtype))
        close(em.full((5,), 7, dtype=dtype), np.full((5,), 7, dtype))
        close(em.arange(2, 40, 3, dtype=dtype), np.arange(2, 40, 3, dtype=dtype))
        close(em.eye(4, 6, k=1, dtype=dtype), np.eye(4, 6, k=1, dtype=dtype))
        if np.dtype(dtype).kind in "fc":
            close(em.linspace(-1, 3, 17, dtype=dtype), np.linspace(-1, 3, 17, dtype=dtype), rtol=tol(dtype))


def test_random_matches_the_cpu_stream():
    gpu()
    # Philox per element on both devices: the same seed draws the same numbers.
    cpu = em.random.default_rng(7).random((1000,)).numpy() if hasattr(em.random, "default_rng") else None
    if cpu is None:
        pytest.skip("ember.random has no default_rng")
    with em.default_device("cuda"):
        dev = em.random.default_rng(7).random((1000,)).numpy()
    np.testing.assert_array_equal(dev, cpu)


@pytest.mark.parametrize("dtype", [np.int16, np.float32, np.complex128])
def test_writes_into_views_and_concat(dtype):
    gpu()
    a = sample((6, 8), dtype)
    x = on_gpu(a)
    x[1:5, ::3] = on_gpu(sample((4, 3), dtype, 9))
    a[1:5, ::3] = sample((4, 3), dtype, 9)
    x[0] = 3
    a[0] = 3
    close(x, a)
    b = sample((6, 2), dtype, 5)
    close(em.concat([x, on_gpu(b), x[:, ::-2]], axis=1), np.concatenate([a, b, a[:, ::-2]], axis=1))
