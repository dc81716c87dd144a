"""Index writes on the pim device (scatter, writes through views, mask fills) and host data that
indexes or fills a pim array (NumPy indices, lists, NumPy values), checked against NumPy."""
import numpy as np
import pytest

import ember as em
from helpers import sample

pim = pytest.importorskip("ember.pim")
DTYPES = ["bool", "int32", "float32"]


def both(a):
    """A NumPy array and an equal pim array."""
    return a.copy(), em.asarray(a, device="pim")


def check(n, e):
    assert e.device == "pim"
    np.testing.assert_array_equal(e.numpy(), n)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["one", "repeated", "negative", "two axes", "broadcast value", "numpy value",
                                  "strided view", "column"])
def test_integer_index_writes_match_numpy(dtype, case):
    n, e = both(sample((5, 6), dtype, 3))
    v = sample((2, 6), dtype, 4)
    if case == "one":
        n[[3]] = v[:1]
        e[[3]] = em.asarray(v[:1], device="pim")
    elif case == "repeated":  # NumPy: the last write to an element wins
        n[np.array([1, 4, 1])] = sample((3, 6), dtype, 5)
        e[np.array([1, 4, 1])] = sample((3, 6), dtype, 5)
    elif case == "negative":
        n[[-1, 0]] = v
        e[[-1, 0]] = v
    elif case == "two axes":
        n[[0, 2, 4], [5, 0, 1]] = v[0, :3]
        e[[0, 2, 4], [5, 0, 1]] = v[0, :3]
    elif case == "broadcast value":
        n[[2, 0]] = v[0]
        e[[2, 0]] = em.asarray(v[0], device="pim")
    elif case == "numpy value":
        w = sample((5, 2), dtype, 5)
        n[:, [1, 3]] = w
        e[:, [1, 3]] = w
    elif case == "strided view":
        n[::-2][[0, 2]] = v
        e[::-2][[0, 2]] = v
    else:
        n[:, 2][[1, 3]] = v[0, :2]
        e[:, 2][[1, 3]] = v[0, :2]
    check(n, e)


def test_writes_keep_lazy_readers_and_views_consistent():
    n, e = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    before, view = e * 1, e[1]  # a lazy reader sees the old values; a view sees the new ones
    e[[1, 1], [0, 3]] = np.array([7.0, 8.0], dtype=np.float32)
    n[[1, 1], [0, 3]] = [7.0, 8.0]
    check(n, e)
    check(n[1], view)
    check(np.arange(12, dtype=np.float32).reshape(3, 4), before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_slice_and_mask_writes_from_host_values(dtype):
    n, e = both(sample((4, 5), dtype, 6))
    n[...] = 1
    e[...] = 1
    check(n, e)
    host = sample((4, 3), dtype, 7)
    n[:, ::-2] = host
    e[:, ::-2] = host
    check(n, e)
    mask = sample((4, 5), "bool", 8)
    n[mask] = 0
    e[mask] = 0  # a NumPy mask
    check(n, e)
    n[n > 0] = 1
    e[e > 0] = 1  # a pim mask
    check(n, e)


def test_take_and_index_with_host_indices():
    a = sample((4, 5), "float32", 9)
    e = em.asarray(a, device="pim")
    check(np.take(a, np.array([3, 0, 3]), axis=1), em.take(e, np.array([3, 0, 3]), axis=1))
    check(a[[2, 0]], e[[2, 0]])
    check(a[np.array([[1], [3]]), np.array([0, 4])], e[np.array([[1], [3]]), np.array([0, 4])])


def test_bad_index_write_raises_and_keeps_the_data():
    n, e = both(np.arange(6, dtype=np.int32))
    with pytest.raises(IndexError, match="out of bounds"):
        e[[1, 9]] = 5
    with pytest.raises(ValueError, match="shape mismatch"):
        e[[1, 2]] = np.arange(3, dtype=np.int32)
    check(n, e)
    with pytest.raises(ValueError, match="different devices"):  # a cpu ember array is not host data
        e + em.asarray(n)


def test_scatter_is_costed_in_the_profile():
    e = em.asarray(np.zeros(64, dtype=np.int32), device="pim")
    em.eval(e)
    with pim.profile() as p:
        e[np.array([5, 9])] = np.array([1, 2], dtype=np.int32)
        assert e.numpy()[[5, 9]].tolist() == [1, 2]
    ops = {x["op"]: x for x in p.ops}
    assert not ops["scatter"]["fallback"] and ops["scatter"]["move"][0] == 2  # one MOVE per element written
