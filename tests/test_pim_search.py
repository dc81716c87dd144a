"""searchsorted on the pim device (compare-and-count in memory), exact against NumPy over dtypes,
sides, NaNs, awkward value layouts, sorters and errors; nothing but the result leaves memory.
Also cumulative sums / products with include_initial (the line's identity first)."""
import numpy as np
import pytest

import ember as em
from helpers import layouts, sample

pim = pytest.importorskip("ember.pim")

DTYPES = ["bool", "int8", "int32", "uint16", "int64", "uint64", "float32", "float64"]


def _x1(dtype, n, seed=4):
    a = sample((n,), dtype, seed)
    if a.dtype.kind == "f" and n >= 4:
        a[::4] = np.nan  # NumPy's sorted order puts NaNs last
        a[1] = -0.0
    return np.sort(a, kind="stable")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 5, 12])
def test_searchsorted_matches_numpy(dtype, n):
    x1 = _x1(dtype, n)
    e1 = em.asarray(x1, device="pim")
    for shape in [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 2)]:
        v = sample(shape, dtype, 5)
        if v.dtype.kind == "f" and v.size:
            v.flat[::3] = np.nan
            v.flat[1::5] = 0.0
        with em.default_device("pim"):  # the views are taken on pim
            views = layouts(v)
        for name, vn, ve in views:
            assert ve.device == "pim"
            for side in ("left", "right"):
                got = em.searchsorted(e1, ve, side=side)
                assert got.device == "pim"
                want = np.searchsorted(x1, vn, side=side)
                assert got.dtype == em.int64 and got.shape == want.shape, name
                np.testing.assert_array_equal(got.numpy(), want, err_msg=f"{name} {side}")


def test_searchsorted_edges():
    x1 = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, 2.0, np.inf, np.nan, np.nan], dtype=np.float32)
    v = np.array([-np.inf, -2, -0.0, 0.0, 2.0, 3.0, np.inf, np.nan], dtype=np.float32)
    e1 = em.asarray(x1, device="pim")
    for side in ("left", "right"):
        np.testing.assert_array_equal(em.searchsorted(e1, em.asarray(v, device="pim"), side=side).numpy(),
                                      np.searchsorted(x1, v, side=side))
    i = np.iinfo(np.int32)
    xi = np.array([i.min, -1, 0, 0, i.max], dtype=np.int32)
    vi = np.array([i.min, i.max, 0, -5, 7], dtype=np.int32)
    for side in ("left", "right"):
        np.testing.assert_array_equal(
            em.searchsorted(em.asarray(xi, device="pim"), em.asarray(vi, device="pim"), side=side).numpy(),
            np.searchsorted(xi, vi, side=side))
    # an empty x1, a strided / reversed x1 view, a scalar value
    z = em.asarray(np.zeros(0, np.int32), device="pim")
    np.testing.assert_array_equal(em.searchsorted(z, em.asarray(vi, device="pim")).numpy(), np.zeros(5, np.int64))
    big = np.sort(sample((20,), "int32", 9))
    eb = em.asarray(big[::-1].copy(), device="pim")[::-2]
    np.testing.assert_array_equal(em.searchsorted(eb, em.asarray(vi, device="pim")).numpy(),
                                  np.searchsorted(big[::-1][::-2], vi))
    assert em.searchsorted(em.asarray(xi, device="pim"), 0).numpy() == np.searchsorted(xi, 0)


def test_searchsorted_sorter_and_errors():
    base = sample((9,), "int16", 6)
    sorter = np.argsort(base, kind="stable")
    v = np.array([-6, -1, 0, 3, 10], dtype=np.int16)
    eb, es = em.asarray(base, device="pim"), em.asarray(sorter, device="pim")
    for side in ("left", "right"):
        got = em.searchsorted(eb, em.asarray(v, device="pim"), side=side, sorter=es)
        np.testing.assert_array_equal(got.numpy(), np.searchsorted(base, v, side=side, sorter=sorter))
    with pytest.raises(ValueError, match="out of bounds"):
        em.searchsorted(em.ones(3, device="pim"), 1.0, sorter=em.asarray(np.array([0, 5, 1]), device="pim")).numpy()


def test_searchsorted_runs_in_memory():
    x1 = np.sort(sample((16,), "float32", 1))
    v = sample((6,), "float32", 2)
    e1, ev = em.asarray(x1, device="pim"), em.asarray(v, device="pim")
    em.eval(e1, ev)
    r = em.searchsorted(e1, ev, side="right")
    with pim.profile() as p:
        em.eval(r)
    op = {x["op"]: x for x in p.ops}["searchsorted"]
    assert not op["fallback"]
    assert op["transfer"][0] == 0  # no host round trip: every compare and count ran in memory
    assert op["logic"][0] > 0 and op["move"][0] > 0
    np.testing.assert_array_equal(r.numpy(), np.searchsorted(x1, v, side="right"))


@pytest.mark.parametrize("op", ["cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dtype", ["int32", "float32", "uint8"])
def test_cumulative_include_initial(op, dtype):
    # include_initial: each line starts with the identity (filled in memory, scans moved after it)
    for shape in [(1,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]:
        a = sample(shape, dtype, 3, low=-2, high=3)
        with em.default_device("pim"):
            views = layouts(a)
        for name, an, ae in views:
            for axis in range(len(shape)):
                got = getattr(em, op)(ae, axis=axis, include_initial=True)
                assert got.device == "pim"
                np.testing.assert_allclose(got.numpy(), getattr(np, op)(an, axis=axis, include_initial=True),
                                           rtol=1e-6, err_msg=f"{name} axis {axis}")
