"""Indexing, norms, integer matmul and the LAPACK ops on the cuda device against NumPy. Every test
here launches kernels and skips, naming why, without a GPU; the kernels' NVRTC compiles and the
host runs of the gather/scatter bodies are in cpp/tests/cuda (test_ops_sources, test_ops_index)."""
import numpy as np
import pytest

import ember as em
from cuda_helpers import close, gpu, on_gpu, sample


# ---- gather / scatter ----

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int16, np.float32, np.float64, np.complex128])
def test_gather(dtype):
    gpu()
    a = sample((5, 6, 4), dtype)
    x = on_gpu(a)
    i = np.array([[0, -1], [3, 3]])
    j = np.array([1, 5])
    close(x[i], a[i])
    close(x[:, j], a[:, j])
    close(x[i, :, j], a[i, :, j])                  # separated: the index dims come first
    close(x[::-1, i[0]], a[::-1, i[0]])            # a reversed view
    close(x[np.array([], np.int64)], a[np.array([], np.int64)])
    close(x[on_gpu(i)], a[i])                      # indices on the device


def test_gather_out_of_bounds_raises_index_error():
    gpu()
    x = on_gpu(np.arange(6.0))
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 6"):
        x[np.array([1, 7, 9])].numpy()


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.complex64])
def test_scatter_last_write_wins(dtype):
    gpu()
    a = sample((7, 3), dtype)
    x = on_gpu(a)
    idx = np.array([0, 5, 0, -1, 5, 0, 2] * 50)
    val = sample((idx.size, 3), dtype, 1)
    x[idx] = on_gpu(val)
    a[idx] = val
    close(x, a)
    x[:, np.array([2, 0, 2])] = 7
    a[:, np.array([2, 0, 2])] = 7
    close(x, a)


# ---- vector_norm ----

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex128, np.int32])
@pytest.mark.parametrize("ord", [2, 1, np.inf, -np.inf, 0, 3.5])
def test_vector_norm(dtype, ord):
    gpu()
    a = sample((6, 300), dtype)
    for axis in (None, 1, 0):
        ref = np.linalg.vector_norm(a, ord=ord, axis=axis) if hasattr(np.linalg, "vector_norm") else None
        if ref is None:
            pytest.skip("this NumPy has no linalg.vector_norm")
        close(em.linalg.vector_norm(on_gpu(a), ord=ord, axis=axis), ref, rtol=2e-3 if dtype == np.float16 else 1e-5)


# ---- matmul of bool and integer dtypes ----

@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64])
@pytest.mark.parametrize("sa,sb", [((5, 7), (7, 3)), ((2, 33, 17), (17, 40)), ((3, 1, 4, 5), (2, 5, 6)), ((0, 4), (4, 2))])
def test_integer_matmul_wraps_as_numpy(dtype, sa, sb):
    gpu()
    a = (sample(sa, np.float64, 1) * 30).astype(dtype)
    b = (sample(sb, np.float64, 2) * 30).astype(dtype)
    close(on_gpu(a) @ on_gpu(b), a @ b)
    close(on_gpu(a).mT @ on_gpu(a), np.swapaxes(a, -1, -2) @ a)  # a transposed (strided) operand


# ---- LAPACK through cuSOLVER ----

LAPACK = [np.float32, np.float64, np.complex64, np.complex128]


def spd(n, dtype, batch=()):
    a = sample(batch + (n, n), dtype, 5)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def tol(dtype):
    return 2e-3 if dtype in (np.float32, np.complex64) else 1e-9


@pytest.mark.parametrize("dtype", LAPACK)
@pytest.mark.parametrize("batch", [(), (3,), (2, 2)])
def test_solve_inv_det_slogdet_cholesky(dtype, batch):
    gpu()
    a = spd(5, dtype, batch)
    b = sample(batch + (5, 2), dtype, 7)
    close(em.linalg.solve(on_gpu(a), on_gpu(b)), np.linalg.solve(a, b), rtol=tol(dtype), atol=tol(dtype))
    close(em.linalg.inv(on_gpu(a)), np.linalg.inv(a), rtol=tol(dtype), atol=tol(dtype))
    close(em.linalg.det(on_gpu(a)), np.linalg.det(a), rtol=tol(dtype))
    s, l = em.linalg.slogdet(on_gpu(a))
    rs, rl = np.linalg.slogdet(a)
    close(s, rs, rtol=tol(dtype), atol=tol(dtype))
    close(l, rl, rtol=tol(dtype))
    close(em.linalg.cholesky(on_gpu(a)), np.linalg.cholesky(a), rtol=tol(dtype), atol=tol(dtype))


def test_lapack_errors_are_numpys_linalg_errors():
    gpu()
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        em.linalg.inv(on_gpu(np.ones((3, 3)))).numpy()
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        em.linalg.cholesky(on_gpu(-np.eye(3))).numpy()
    close(em.linalg.det(on_gpu(np.ones((3, 3)))), np.float64(0.0))


@pytest.mark.parametrize("dtype", LAPACK)
def test_eigh_qr_svd(dtype):
    gpu()
    a = spd(6, dtype, (2,))
    w, v = em.linalg.eigh(on_gpu(a))
    rw = np.linalg.eigvalsh(a)
    close(w, rw, rtol=tol(dtype), atol=tol(dtype))
    vv = v.numpy()
    np.testing.assert_allclose(a @ vv, vv * w.numpy()[..., None, :], rtol=tol(dtype) * 10, atol=tol(dtype) * 100)
    for shape in [(7, 4), (4, 7), (2, 5, 5)]:
        m = sample(shape, dtype, 3)
        for mode in ("reduced", "complete"):
            q, r = em.linalg.qr(on_gpu(m), mode=mode)
            rq, rr = np.linalg.qr(m, mode=mode)
            assert q.shape == rq.shape and r.shape == rr.shape
            np.testing.assert_allclose(q.numpy() @ r.numpy(), m, rtol=tol(dtype) * 10, atol=tol(dtype) * 100)
        for full in (False, True):
            u, s, vh = em.linalg.svd(on_gpu(m), full_matrices=full)
            ru, rs, rvh = np.linalg.svd(m, full_matrices=full)
            assert u.shape == ru.shape and vh.shape == rvh.shape
            close(s, rs, rtol=tol(dtype), atol=tol(dtype))
            k = rs.shape[-1]
            rec = (u.numpy()[..., :k] * s.numpy()[..., None, :]) @ vh.numpy()[..., :k, :]
            np.testing.assert_allclose(rec, m, rtol=tol(dtype) * 10, atol=tol(dtype) * 100)
