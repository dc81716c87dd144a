"""Sharded arrays against NumPy on the whole data: creation, elementwise with broadcasting,
reductions, matmul, slicing and gather, over even and uneven splits (including empty blocks)."""
import numpy as np
import pytest

import ember as em
import ember.distributed as dist
from helpers import assert_matches, sample

R, N = dist.rank(), dist.size()
SHAPES_AXES = [((7,), 0), ((6, 3), 0), ((5, 4), 1), ((2, 5, 3), 1), ((1, 4), 0), ((3, 0), 0), ((0,), 0)]


def sharded(shape, axis, dtype="float64", seed=0):
    x = sample(shape, dtype, seed=seed)
    return x, dist.shard(em.asarray(x), axis=axis)


@pytest.mark.parametrize("shape,axis", SHAPES_AXES)
def test_shard_and_gather(shape, axis):
    x, s = sharded(shape, axis)
    assert isinstance(s, dist.ShardedArray)
    assert s.shape == shape and s.axis == axis and sum(s.counts) == shape[axis]
    assert s.local.shape[axis] == s.counts[R]
    assert_matches(s.gather(), x)
    assert_matches(dist.to_replicated(s), x)
    np.testing.assert_array_equal(np.asarray(s), x)


def test_creation():
    assert_matches(dist.zeros((5, 3), axis=1).gather(), np.zeros((5, 3)))
    assert_matches(dist.ones(7, dtype="int32").gather(), np.ones(7, dtype=np.int32))
    assert_matches(dist.full((4, 2), 2.5).gather(), np.full((4, 2), 2.5))
    assert dist.empty((9, 2)).shape == (9, 2)
    assert_matches(dist.arange(11).gather(), np.arange(11))
    assert_matches(dist.arange(2, 20, 3, dtype="float32").gather(), np.arange(2, 20, 3, dtype=np.float32))
    with pytest.raises(ValueError):
        dist.shard(em.asarray(1.0))


@pytest.mark.parametrize("shape,axis", SHAPES_AXES)
@pytest.mark.parametrize("op", ["add", "multiply", "subtract", "maximum", "greater"])
def test_elementwise_sharded_sharded(shape, axis, op):
    x, s = sharded(shape, axis, seed=1)
    y, t = sharded(shape, axis, seed=2)
    got = getattr(dist, op)(s, t)
    assert isinstance(got, dist.ShardedArray)
    assert_matches(got.gather(), getattr(np, op)(x, y))


@pytest.mark.parametrize("dtype", ["int16", "float32", "complex64", "bool"])
def test_operators_and_unary(dtype):
    x, s = sharded((6, 4), 0, dtype=dtype, seed=3)
    if dtype == "bool":
        assert_matches((~s).gather(), ~x)
        assert_matches((s & True).gather(), x & True)
        return
    assert_matches((s * 2 + 1).gather(), x * 2 + 1)
    assert_matches((1 - s).gather(), 1 - x)
    assert_matches((-s).gather(), -x)
    assert_matches(abs(s).gather(), abs(x))
    assert_matches((s == s).gather(), x == x)
    real, xr = (s.real, x.real) if dtype == "complex64" else (s, x)
    assert_matches(dist.exp(real.astype("float64")).gather(), np.exp(xr.astype(np.float64)))
    assert_matches(dist.imag(s).gather(), np.imag(x))
    assert_matches(dist.where(s.real > 0 if dtype == "complex64" else s > 0, s, 0).gather(),
                   np.where(x.real > 0 if dtype == "complex64" else x > 0, x, 0))


@pytest.mark.parametrize("rshape", [(), (4,), (1, 4), (6, 1), (6, 4), (3, 6, 4)])
def test_broadcast_with_replicated(rshape):
    x, s = sharded((6, 4), 0, seed=4)
    y = sample(rshape, "float64", seed=5)
    for got, expect in [(s + em.asarray(y), x + y), (em.asarray(y) * s, y * x), (dist.add(y, s), y + x)]:
        assert_matches(got.gather() if isinstance(got, dist.ShardedArray) else got, expect)


def test_differently_split_operands_are_redistributed():
    x, s = sharded((6, 4), 0, seed=6)
    _, t = sharded((6, 4), 1, seed=7)
    assert_matches((s + t).gather(), x + sample((6, 4), "float64", seed=7))
    assert_matches((s[1:] + s[:-1]).gather(), x[1:] + x[:-1])  # same global shape, different blocks


@pytest.mark.parametrize("shape,axis", SHAPES_AXES[:5])
@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "var", "std", "any", "all"])
def test_reductions(shape, axis, op):
    x, s = sharded(shape, axis, seed=8)
    xb = x > 0
    for red_axis in [None, 0, -1, tuple(range(len(shape)))] + ([(0, 1)] if len(shape) > 2 else []):
        for keepdims in (False, True):
            src, ref = (s > 0, xb) if op in ("any", "all") else (s, x)
            got = getattr(src, op)(axis=red_axis, keepdims=keepdims)
            expect = getattr(np, op)(ref, axis=red_axis, keepdims=keepdims)
            got = got.gather() if isinstance(got, dist.ShardedArray) else got
            assert_matches(got, expect, rtol=1e-10)


def test_reduction_dtype_and_module_functions():
    x, s = sharded((9,), 0, dtype="int8", seed=9)
    assert_matches(dist.sum(s), np.sum(x))  # int8 sums in int64, as NumPy
    assert_matches(dist.mean(s), np.mean(x))
    assert_matches(dist.sum(em.asarray(x)), np.sum(x))  # replicated arrays pass through


def test_empty_max_raises_as_numpy():
    _, s = sharded((0, 3), 0)
    with pytest.raises(ValueError, match="zero-size array"):
        s.max()


@pytest.mark.parametrize("a_shape,a_axis,b_shape,b_axis", [
    ((6, 4), 0, (4, 3), None),    # rows x replicated: local
    ((6, 4), 1, (4, 3), None),    # inner split: local + all_sum
    ((6, 4), None, (4, 5), 0),    # replicated x inner split
    ((6, 4), None, (4, 5), 1),    # replicated x cols split
    ((6, 4), 0, (4, 5), 0),       # rows x rows: gather b
    ((6, 4), 1, (4, 5), 0),       # inner x inner: local + all_sum
    ((6, 4), 0, (4, 5), 1),       # rows x cols
    ((7,), 0, (7,), 0),           # dot of split vectors
    ((6, 4), 0, (4,), None),      # matrix-vector
    ((5,), 0, (5, 3), 0),         # vector-matrix
    ((2, 3, 4), 1, (4, 2), None),  # batched: gathered
])
def test_matmul(a_shape, a_axis, b_shape, b_axis):
    a = sample(a_shape, "float64", seed=10)
    b = sample(b_shape, "float64", seed=11)
    ea = dist.shard(em.asarray(a), a_axis) if a_axis is not None else em.asarray(a)
    eb = dist.shard(em.asarray(b), b_axis) if b_axis is not None else em.asarray(b)
    got = ea @ eb
    got = got.gather() if isinstance(got, dist.ShardedArray) else got
    assert_matches(got, a @ b, rtol=1e-12, atol=1e-12)


def test_matmul_shape_error():
    _, s = sharded((6, 4), 0)
    with pytest.raises(ValueError, match="mismatch"):
        s @ em.ones((3, 2))


@pytest.mark.parametrize("key", [
    np.s_[1:5], np.s_[::2], np.s_[3:], np.s_[:, 1], np.s_[2], np.s_[-1], np.s_[..., 0], np.s_[None, 1:3],
    np.s_[::-1], np.s_[[0, 3, 4]], np.s_[6:2], np.s_[2:3, ::2],
])
def test_slicing(key):
    x, s = sharded((7, 4), 0, seed=12)
    got = s[key]
    got = got.gather() if isinstance(got, dist.ShardedArray) else got
    assert_matches(got, x[key])


def test_slicing_along_second_axis_and_chains():
    x, s = sharded((4, 9), 1, seed=13)
    for key in [np.s_[:, 2:8], np.s_[1, 1::3], np.s_[:, 4], np.s_[1:3, ::2]]:
        got = s[key]
        got = got.gather() if isinstance(got, dist.ShardedArray) else got
        assert_matches(got, x[key])
    assert_matches((s[:, 1:][:, ::2] * 2).sum(axis=1), (x[:, 1:][:, ::2] * 2).sum(axis=1))


def test_index_errors():
    _, s = sharded((5, 2), 0)
    with pytest.raises(IndexError):
        s[5]
    with pytest.raises(IndexError):
        s[0, 0, 0]


def test_single_process_code_runs_unchanged():
    """A NumPy-style program on ember arrays gives the same answer whatever the world size."""
    x = np.linspace(-1, 1, 101)
    s = dist.shard(em.asarray(x))
    got = float(((s ** 2 - 0.5 * s).sum() / s.shape[0]))
    assert got == pytest.approx(float(np.mean(x ** 2 - 0.5 * x)), rel=1e-12)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argreductions(op):
    x, s = sharded((7, 5), 0, seed=14)
    for axis in [None, 0, 1, -1]:
        for keepdims in (False, True):
            got = getattr(dist, op)(s, axis=axis, keepdims=keepdims)
            got = got.gather() if isinstance(got, dist.ShardedArray) else got
            assert_matches(got, getattr(np, op)(x, axis=axis, keepdims=keepdims))
