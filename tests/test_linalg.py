"""Matrix products, einsum and ember.linalg against NumPy (dtypes, batches, empty matrices, layouts, errors)."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, check_op, layouts, sample

MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 5)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)),
                 ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((0, 3), (3, 2)), ((3, 0), (0, 2)),
                 ((2, 3, 4), (2, 4, 0)), ((1, 1), (1, 1))]
TOL = {"float16": 2e-2, "float32": 1e-4, "complex64": 1e-4}


def _tol(dtype):
    return TOL.get(dtype, 1e-10)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_matmul_matches_numpy(dtype):
    for sa, sb in MATMUL_SHAPES:
        a, b = sample(sa, dtype, 1, -3, 3), sample(sb, dtype, 2, -3, 3)
        check_op(em.matmul, np.matmul, a, b, rtol=_tol(dtype), atol=1e-2 if dtype == "float16" else 1e-12)
        # the second operand in every layout too
        check_op(lambda y, x: x @ y, lambda y, x: x @ y, b, a, rtol=_tol(dtype),
                 atol=1e-2 if dtype == "float16" else 1e-12)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 2e-5)])
def test_tall_matrix_vector_products_split_over_threads(dtype, rtol):
    # 40,000 x 30: large and tall enough for the row-block split (X @ w, X.T @ r, r @ X, strided r).
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40_000, 30)).astype(dtype)
    w = rng.standard_normal(30).astype(dtype)
    r = rng.standard_normal(80_000).astype(dtype)[::2]
    ex, ew, er = em.asarray(x), em.asarray(w), em.asarray(r)
    before = em.get_num_threads()
    try:
        for threads in (2, 1):
            em.set_num_threads(threads)
            np.testing.assert_allclose((ex @ ew).numpy(), x @ w, rtol=rtol, atol=rtol)
            np.testing.assert_allclose((ex.T @ er).numpy(), x.T @ r, rtol=rtol, atol=rtol * 10)
            np.testing.assert_allclose((er @ ex).numpy(), r @ x, rtol=rtol, atol=rtol * 10)
    finally:
        em.set_num_threads(before)


def test_matmul_integer_wraps_and_bool_is_or_of_and():
    a = np.full((2, 40), 100, np.int8)
    check_op(em.matmul, np.matmul, a, a.T.copy())
    m = np.array([[True, False], [False, False]])
    check_op(em.matmul, np.matmul, m, m)
    assert (em.asarray(m) @ em.asarray(m)).dtype == np.bool_


def test_matmul_promotes_mixed_dtypes():
    a, b = sample((3, 4), "int32"), sample((4, 2), "float32")
    check_op(em.matmul, np.matmul, a, b, rtol=1e-5)
    check_op(lambda x: x @ 2.0 if False else em.matmul(x, x.mT), lambda x: x @ np.swapaxes(x, -1, -2), a)


def assert_within_dot_bound(got, a, b):
    """got == a @ b within the error bound of a float dot product of length k: each of two results
    (ours, NumPy's) is within k*eps*(|a| @ |b|) of the exact value (Higham, Accuracy and Stability,
    eq. 3.5), whatever the summation order or fused multiply-adds. A plain rtol fails on entries
    where the products cancel: there even two correct BLAS libraries differ in the last digits."""
    expected = a @ b
    assert got.shape == expected.shape and got.dtype == expected.dtype, (got.shape, got.dtype)
    k, eps = a.shape[-1], np.finfo(a.dtype).eps
    bound = 2 * k * eps * (np.abs(a) @ np.abs(b))
    err = np.abs(got - expected)
    assert (err <= bound).all(), f"max error {err.max():.3g} over bound {bound[err > bound].min():.3g}"


def test_matmul_large_strided_batch():
    a = sample((3, 64, 48), "float64", 3)
    b = sample((48, 80), "float64", 4)
    for _, np_a, em_a in layouts(a):
        assert_within_dot_bound(em.matmul(em_a, em.asarray(b)).numpy(), np_a, b)
        np.testing.assert_array_equal(em_a.numpy(), np_a)  # inputs intact
    x = em.asarray(sample((50, 60), "float64"))[::2, ::3]
    np.testing.assert_allclose((x @ x.mT).numpy(), x.numpy() @ x.numpy().T, rtol=1e-12)


@pytest.mark.parametrize("sa,sb", [((3, 4), (5, 6)), ((4,), (3,)), ((2, 3, 4), (3, 4, 5))])
def test_matmul_shape_errors_name_shapes(sa, sb):
    with pytest.raises(ValueError) as e:
        em.matmul(em.zeros(sa), em.zeros(sb))
    with pytest.raises(ValueError):
        np.matmul(np.zeros(sa), np.zeros(sb))
    assert str(sa) in str(e.value) and str(sb) in str(e.value)


def test_matmul_refuses_scalars_and_unbroadcastable_batches():
    with pytest.raises(ValueError):
        em.matmul(em.ones(3), 2.0)
    with pytest.raises(ValueError, match=r"\(2, 3, 4\).*\(3, 4, 5\)"):
        em.matmul(em.ones((2, 3, 4)), em.ones((3, 4, 5)))


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "complex128"])
def test_products_match_numpy(dtype):
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3, 4), (5, 4, 2)),
                   ((), (3, 2)), ((2, 3), ())]:
        a, b = sample(sa, dtype, 1), sample(sb, dtype, 2)
        check_op(em.dot, np.dot, a, b, rtol=_tol(dtype))
    for sa, sb in [((3,), (3,)), ((2, 3), (4, 3)), ((2, 3, 4), (5, 4))]:
        check_op(em.inner, np.inner, sample(sa, dtype, 1), sample(sb, dtype, 2), rtol=_tol(dtype))
    for sa, sb in [((3,), (4,)), ((2, 3), (4,)), ((0,), (3,))]:
        check_op(em.outer, np.outer, sample(sa, dtype, 1), sample(sb, dtype, 2), rtol=_tol(dtype))
    a, b = sample((2, 3), dtype, 1), sample((3, 2), dtype, 2)
    check_op(em.vdot, np.vdot, a, b, rtol=_tol(dtype))


def test_dot_not_aligned():
    with pytest.raises(ValueError, match="not aligned"):
        em.dot(em.ones((2, 3)), em.ones((4, 5)))
    with pytest.raises(ValueError):
        em.inner(em.ones((2, 3)), em.ones((4,)))


@pytest.mark.parametrize("axes", [2, 1, 0, ([1, 0], [0, 1]), ([2], [0]), ((0, 2), (1, 0))])
def test_tensordot(axes):
    a, b = sample((3, 4, 5), "float64", 1), sample((5, 4, 3), "float64", 2)
    if axes in (2, 1):
        b = sample((4, 5, 3) if axes == 2 else (5, 2), "float64", 2)
    elif isinstance(axes, tuple) and axes == ((0, 2), (1, 0)):
        b = sample((5, 3, 2), "float64", 2)
    check_op(lambda x, y: em.tensordot(x, y, axes=axes), lambda x, y: np.tensordot(x, y, axes=axes), a, b)


def test_tensordot_shape_mismatch():
    with pytest.raises(ValueError, match="shape-mismatch"):
        em.tensordot(em.ones((2, 3)), em.ones((4, 3)), axes=([1], [0]))


@pytest.mark.parametrize("dtype", ["float64", "complex128", "int32"])
def test_vecdot_conjugates_first_and_broadcasts(dtype):
    a, b = sample((2, 1, 3), dtype, 1), sample((4, 3), dtype, 2)
    check_op(em.vecdot, np.vecdot, a, b)
    check_op(lambda x, y: em.vecdot(x, y, axis=0), lambda x, y: np.vecdot(x, y, axis=0),
             sample((3, 2), dtype, 1), sample((3, 2), dtype, 2))
    check_op(em.linalg.vecdot, np.linalg.vecdot, a, b)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("i,i->", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]),
    ("ij->", [(3, 4)]), ("ij->i", [(3, 4)]), ("iij->j", [(3, 3, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i...->...", [(3, 2, 4)]), ("ba,ca->bc", [(2, 3), (4, 3)]), ("i,i", [(3,), (3,)]), ("ij,kj->ikj", [(2, 3), (4, 3)]),
])
@pytest.mark.parametrize("dtype", ["float64", "int32", "complex128"])
def test_einsum(spec, shapes, dtype):
    arrays = [sample(s, dtype, i + 1) for i, s in enumerate(shapes)]
    check_op(lambda *xs: em.einsum(spec, *xs), lambda *xs: np.einsum(spec, *xs), *arrays)


def test_einsum_errors():
    with pytest.raises(ValueError):
        em.einsum("ij,jk->ik", em.ones((2, 3)))
    with pytest.raises(ValueError):
        em.einsum("ij->k", em.ones((2, 3)))
    with pytest.raises(ValueError):
        em.einsum("ijk->i", em.ones((2, 3)))


def test_kron_trace_diagonal_cross():
    a, b = sample((2, 3), "int64", 1), sample((3, 2), "int64", 2)
    check_op(em.kron, np.kron, a, b)
    m = sample((3, 4, 4), "int8", 3)
    check_op(lambda x: em.trace(x, axis1=1, axis2=2), lambda x: np.trace(x, axis1=1, axis2=2), m)
    check_op(lambda x: em.trace(x, offset=1), lambda x: np.trace(x, offset=1), sample((4, 5), "float64"))
    check_op(lambda x: em.diagonal(x, 1), lambda x: np.diagonal(x, 1), sample((4, 5), "float64"))
    check_op(lambda x: em.linalg.trace(x), lambda x: np.linalg.trace(x), m)
    check_op(lambda x: em.linalg.diagonal(x, offset=-1), lambda x: np.linalg.diagonal(x, offset=-1), m)
    u, v = sample((4, 3), "float64", 1), sample((4, 3), "float64", 2)
    check_op(em.cross, np.cross, u, v)
    check_op(em.linalg.cross, np.linalg.cross, u, v)
    check_op(lambda x, y: em.cross(x, y, axis=0), lambda x, y: np.cross(x, y, axis=0), u.T.copy(), v.T.copy())
    with pytest.raises(ValueError):
        em.linalg.cross(em.ones((2, 4)), em.ones((2, 4)))


# ---- ember.linalg ----

LINALG_DTYPES = ["float32", "float64", "complex64", "complex128", "int64"]


def _spd(shape, dtype, seed=0):
    """Well-conditioned Hermitian positive definite matrices."""
    a = sample(shape, "complex128" if dtype.startswith("complex") else "float64", seed)
    n = shape[-1]
    m = a @ np.conj(np.swapaxes(a, -1, -2)) + n * 10 * np.eye(n)
    return m.astype(dtype) if dtype[0] in "fc" else np.round(m).astype(dtype)


def _rtol(dtype):
    return 1e-3 if dtype in ("float32", "complex64") else 1e-9


@pytest.mark.parametrize("dtype", LINALG_DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (2, 1, 2, 2), (1, 1), (0, 0), (0, 3, 3), (3, 0, 0)])
def test_det_inv_solve_slogdet(dtype, shape):
    a = _spd(shape, dtype) if shape[-1] else np.zeros(shape, dtype)
    r = _rtol(dtype)
    check_op(em.linalg.det, np.linalg.det, a, rtol=r)
    check_op(em.linalg.inv, np.linalg.inv, a, rtol=r, atol=1e-6)
    check_op(lambda x: tuple(em.linalg.slogdet(x)), lambda x: tuple(np.linalg.slogdet(x)), a, rtol=r, atol=1e-6)
    b = sample(shape[:-1] + (2,), dtype, 5)
    check_op(em.linalg.solve, np.linalg.solve, a, b, rtol=r, atol=1e-5)
    check_op(lambda y, x: em.linalg.solve(x, y), lambda y, x: np.linalg.solve(x, y), b, a, rtol=r, atol=1e-5)


def test_solve_broadcasting_rules():
    a = _spd((2, 3, 3), "float64")
    for b in [sample((3,), "float64"), sample((3, 2), "float64"), sample((4, 1, 3, 1), "float64")]:
        check_op(em.linalg.solve, np.linalg.solve, a, b)
    with pytest.raises(ValueError):
        em.linalg.solve(em.asarray(a), em.ones((4,)))
    with pytest.raises(ValueError):
        em.linalg.solve(em.asarray(a), em.ones((3, 3, 1)))


def test_dtypes_follow_numpy():
    a = np.array([[2, 1], [0, 3]])
    for x in (a, a.astype(np.float32), a.astype(np.complex128), a.astype(bool)):
        assert em.linalg.inv(em.asarray(x)).dtype == np.linalg.inv(x).dtype
        assert em.linalg.det(em.asarray(x)).dtype == np.linalg.det(x).dtype
        assert em.linalg.eigvalsh(em.asarray(x)).dtype == np.linalg.eigvalsh(x).dtype
    with pytest.raises(TypeError):
        em.linalg.inv(em.asarray(a.astype(np.float16)))


def test_singular_and_bad_inputs_raise_linalgerror():
    s = em.asarray([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        em.linalg.inv(s).numpy()
    with pytest.raises(em.linalg.LinAlgError, match="Singular matrix"):
        em.linalg.solve(s, em.ones(2)).numpy()
    assert em.linalg.det(s).item() == 0.0
    sign, logdet = em.linalg.slogdet(s)
    assert sign.item() == 0 and logdet.item() == -np.inf
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        em.linalg.cholesky(em.asarray([[1.0, 2.0], [2.0, 1.0]])).numpy()
    with pytest.raises(np.linalg.LinAlgError):
        em.linalg.inv(em.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError):
        em.linalg.det(em.ones(3))
    assert em.linalg.LinAlgError is np.linalg.LinAlgError


@pytest.mark.parametrize("dtype", LINALG_DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0)])
def test_cholesky_eigh(dtype, shape):
    a = _spd(shape, dtype) if shape[-1] else np.zeros(shape, dtype)
    r = _rtol(dtype)
    check_op(em.linalg.cholesky, np.linalg.cholesky, a, rtol=r, atol=1e-5)
    check_op(lambda x: em.linalg.cholesky(x, upper=True), lambda x: np.linalg.cholesky(x, upper=True), a,
             rtol=r, atol=1e-5)
    check_op(em.linalg.eigvalsh, np.linalg.eigvalsh, a, rtol=r, atol=1e-5)
    w, v = em.linalg.eigh(em.asarray(a).mT.mT)
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(a), rtol=r, atol=1e-5)
    vv = v.numpy()
    recon = vv @ (w.numpy()[..., None] * np.conj(np.swapaxes(vv, -1, -2)))
    np.testing.assert_allclose(recon, a, rtol=r, atol=1e-3 if r > 1e-6 else 1e-8)
    check_op(lambda x: em.linalg.eigvalsh(x, UPLO="U"), lambda x: np.linalg.eigvalsh(x, UPLO="U"),
             np.triu(a), rtol=r, atol=1e-4)


@pytest.mark.parametrize("dtype", LINALG_DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3), (0, 3), (3, 0), (2, 1, 4)])
def test_qr_svd(dtype, shape):
    a = sample(shape, dtype, 7)
    r = _rtol(dtype)
    at = 1e-4 if r > 1e-6 else 1e-10
    for mode in ("reduced", "complete"):
        q, rr = em.linalg.qr(em.asarray(a), mode=mode)
        nq, nr = np.linalg.qr(a, mode=mode)
        assert q.shape == nq.shape and rr.shape == nr.shape and q.dtype == nq.dtype
        np.testing.assert_allclose((q @ rr).numpy(), a, rtol=r, atol=at)
        np.testing.assert_allclose(np.abs(rr.numpy()), np.abs(nr), rtol=r, atol=at)
        assert np.allclose(np.tril(rr.numpy(), -1), 0)
    assert em.linalg.qr(em.asarray(a), mode="r").shape == np.linalg.qr(a, mode="r").shape
    check_op(em.linalg.svdvals, np.linalg.svdvals, a, rtol=r, atol=at)
    for full in (True, False):
        u, s, vh = em.linalg.svd(em.asarray(a), full_matrices=full)
        nu, ns, nvh = np.linalg.svd(a, full_matrices=full)
        assert (u.shape, s.shape, vh.shape) == (nu.shape, ns.shape, nvh.shape)
        assert u.dtype == nu.dtype and s.dtype == ns.dtype
        k = s.shape[-1]
        recon = (u.numpy()[..., :, :k] * s.numpy()[..., None, :]) @ vh.numpy()[..., :k, :]
        np.testing.assert_allclose(recon, a, rtol=r, atol=at)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128", "int64"])
def test_pinv_rank_power(dtype):
    a = sample((2, 4, 3), dtype, 2)
    r = _rtol(dtype)
    # (NumPy's own pinv(rtol=None) refuses integer input; its result for the float64 cast is the reference)
    check_op(em.linalg.pinv, lambda x: np.linalg.pinv(x if x.dtype.kind in "fc" else x.astype(float), rtol=None),
             a, rtol=r, atol=1e-5)
    check_op(lambda x: em.linalg.pinv(x, rcond=1e-3), lambda x: np.linalg.pinv(x, rcond=1e-3), sample((2, 4, 3), "float64", 2))
    low = sample((4, 2), dtype, 3) @ sample((2, 5), dtype, 4)
    check_op(em.linalg.matrix_rank, np.linalg.matrix_rank, low)
    check_op(em.linalg.matrix_rank, np.linalg.matrix_rank, sample((3,), dtype))
    sq = sample((2, 3, 3), dtype, 5)
    for n in (0, 1, 2, 5):
        check_op(lambda x: em.linalg.matrix_power(x, n), lambda x: np.linalg.matrix_power(x, n), sq, rtol=r)
    check_op(lambda x: em.linalg.matrix_power(x, -2), lambda x: np.linalg.matrix_power(x, -2),
             _spd((3, 3), dtype), rtol=max(r, 1e-8))


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128", "int32"])
def test_norms(dtype):
    x = sample((3, 4, 5), dtype, 1)
    r = _rtol(dtype)
    for ord in (2, 1, np.inf, -np.inf, 0, 3, -1):
        check_op(lambda v: em.linalg.vector_norm(v, ord=ord), lambda v: np.linalg.vector_norm(v, ord=ord), x, rtol=r)
        check_op(lambda v: em.linalg.vector_norm(v, axis=(0, 2), ord=ord, keepdims=True),
                 lambda v: np.linalg.vector_norm(v, axis=(0, 2), ord=ord, keepdims=True), x, rtol=r)
    for ord in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        check_op(lambda v: em.linalg.matrix_norm(v, ord=ord), lambda v: np.linalg.matrix_norm(v, ord=ord), x, rtol=r)
    check_op(lambda v: em.linalg.matrix_norm(v, keepdims=True), lambda v: np.linalg.matrix_norm(v, keepdims=True),
             x, rtol=r)
    for kw in [{}, {"axis": 1}, {"axis": (0, 2)}, {"axis": (2, 0), "ord": 1, "keepdims": True}, {"axis": -1, "ord": 0}]:
        check_op(lambda v: em.linalg.norm(v, **kw), lambda v: np.linalg.norm(v, **kw), x, rtol=r)
    m = x[0]
    for ord in (None, "fro", "nuc", 1, 2, np.inf, -2):
        check_op(lambda v: em.linalg.norm(v, ord), lambda v: np.linalg.norm(v, ord), m, rtol=r)
    check_op(lambda v: em.linalg.norm(v, 3), lambda v: np.linalg.norm(v, 3), x[0, 0], rtol=r)


def test_norm_errors_and_empty():
    assert em.linalg.vector_norm(em.zeros((0,))).item() == 0.0
    with pytest.raises(ValueError):
        em.linalg.vector_norm(em.zeros((0,)), ord=np.inf)
    with pytest.raises(ValueError):
        em.linalg.norm(em.ones((2, 2, 2)), ord=1)
    with pytest.raises(ValueError):
        em.linalg.norm(em.ones(3), "fro", axis=0)
    with pytest.raises(ValueError):
        em.linalg.matrix_norm(em.ones((2, 2)), ord=3)


def test_results_are_lazy_and_inputs_untouched():
    a = em.asarray(_spd((3, 3), "float64"))
    w, v = em.linalg.eigh(a)
    assert not w._h.is_evaluated()
    a[0, 0] = 1000.0  # a later write must not change the pending results
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(_spd((3, 3), "float64")))
