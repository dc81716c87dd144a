"""matmul on the pim device (multiply-and-reduce in memory) with leading batch dimensions,
broadcast batches, vectors, empty operands, views and bool (or of and); exact for integers."""
import numpy as np
import pytest

import ember as em
from helpers import sample

pim = pytest.importorskip("ember.pim")

SHAPES = [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 2)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 3)),
          ((2, 1, 3, 4), (5, 4, 2)), ((1, 2, 2), (3, 2, 1)), ((2, 3, 4), (4,)), ((4,), (4,)),
          ((2, 0, 3), (3, 2)), ((2, 3, 0), (0, 2)), ((0, 2, 3), (3, 1))]


def _check(a, b, rtol):
    ea, eb = em.asarray(a, device="pim"), em.asarray(b, device="pim")
    got = ea @ eb
    assert got.device == "pim"
    with np.errstate(invalid="ignore"):  # inf * 0 in the products
        want = np.matmul(a, b)
    r = got.numpy()
    assert r.shape == want.shape and r.dtype == want.dtype
    if rtol:
        np.testing.assert_allclose(r, want, rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(r, want)


@pytest.mark.parametrize("dtype,rtol", [("bool", 0), ("int8", 0), ("int32", 0), ("uint64", 0),
                                        ("float32", 2e-6), ("float64", 1e-14)])
@pytest.mark.parametrize("shapes", SHAPES, ids=[f"{a}@{b}" for a, b in SHAPES])
def test_batched_matmul_matches_numpy(dtype, rtol, shapes):
    sa, sb = shapes
    _check(sample(sa, dtype, 1, -3, 3), sample(sb, dtype, 2, -3, 3), rtol)


def test_matmul_of_views_and_wrapping():
    base = sample((2, 6, 8), "int32", 3, -50, 50)
    e = em.asarray(base, device="pim")
    a, b = e[:, ::2, ::-2], e[::-1, 1::2, ::2].mT  # strided, negative-stride and transposed views
    np.testing.assert_array_equal((a @ b).numpy(), base[:, ::2, ::-2] @ np.swapaxes(base[::-1, 1::2, ::2], -1, -2))
    w = np.full((2, 2, 40), 100, np.int8)  # int8 products and sums wrap as NumPy's
    _check(w, np.swapaxes(w, -1, -2).copy(), 0)
    f = np.array([[np.inf, 1.0], [np.nan, 0.0]], np.float32)
    _check(f[None], np.array([[1.0, 0.0], [2.0, -1.0]], np.float32), 2e-6)


def test_batched_matmul_runs_in_memory():
    a, b = sample((3, 2, 4), "float32", 1), sample((4, 5), "float32", 2)
    ea, eb = em.asarray(a, device="pim"), em.asarray(b, device="pim")
    em.eval(ea, eb)
    r = ea @ eb
    with pim.profile() as p:
        em.eval(r)
    op = {x["op"]: x for x in p.ops}["matmul"]
    assert not op["fallback"] and op["transfer"][0] == 0 and op["logic"][0] > 0
    np.testing.assert_allclose(r.numpy(), a @ b, rtol=2e-6)
