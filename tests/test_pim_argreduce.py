"""argmax / argmin on the pim device (a tournament in memory), checked against NumPy: ties keep the
first occurrence, the first NaN wins, any axis, odd and length-1 lines."""
import numpy as np
import pytest

import ember as em
from helpers import sample

pim = pytest.importorskip("ember.pim")


def with_ties_and_nans(shape, dtype, seed):
    a = sample(shape, dtype, seed, low=-2, high=2)  # a narrow range: many ties
    if a.dtype.kind == "f" and a.size:
        flat = a.reshape(-1)
        flat[np.random.default_rng(seed).integers(0, a.size, max(1, a.size // 5))] = np.nan
    return a


@pytest.mark.parametrize("dtype", ["bool", "int32", "float32"])
@pytest.mark.parametrize("shape", [(1,), (7,), (3, 5), (4, 1), (2, 3, 4)])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_arg_reductions_match_numpy(dtype, shape, op):
    a = with_ties_and_nans(shape, dtype, sum(shape))
    e = em.asarray(a, device="pim")
    for axis in [None] + list(range(-len(shape), len(shape))):
        for keepdims in (False, True):
            r = getattr(em, op)(e, axis=axis, keepdims=keepdims)
            want = getattr(np, op)(a, axis=axis, keepdims=keepdims)
            assert r.device == "pim" and r.dtype == em.int64
            np.testing.assert_array_equal(r.numpy(), want, err_msg=f"{op} axis={axis} keepdims={keepdims}")


def test_first_nan_and_first_tie_win():
    a = np.array([1.0, np.nan, 3.0, np.nan, 3.0, -np.inf, -np.inf], dtype=np.float32)
    e = em.asarray(a, device="pim")
    assert em.argmax(e).item() == 1 and em.argmin(e).item() == 1
    b = a[[0, 2, 4, 5, 6]]
    e = em.asarray(b, device="pim")
    assert em.argmax(e).item() == 1 and em.argmin(e).item() == 3


def test_arg_reduction_runs_in_memory():
    e = em.asarray(np.arange(16, dtype=np.int32)[::-1].copy(), device="pim")
    em.eval(e)
    with pim.profile() as p:
        assert em.argmin(e).item() == 15
    op = {x["op"]: x for x in p.ops}["argmin"]
    assert not op["fallback"] and op["logic"][0] > 0


def test_empty_line_raises():
    with pytest.raises(ValueError, match="empty sequence"):
        em.argmax(em.zeros((0,), device="pim"))
