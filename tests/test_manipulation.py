"""Manipulation functions against NumPy over dtypes and awkward layouts (check_op)."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, SHAPES, assert_matches, check_op, sample

# (name, ember fn, numpy fn, shapes it applies to)
UNARY = [
    ("reshape", lambda m, x: m.reshape(x, (-1,)), None),
    ("reshape2", lambda m, x: m.reshape(x, (x.shape[0], -1)) if x.ndim else m.reshape(x, (1, 1)), None),
    ("ravel", lambda m, x: m.ravel(x), None),
    ("transpose", lambda m, x: m.transpose(x), None),
    ("permute", lambda m, x: m.permute_dims(x, tuple(range(x.ndim))[::-1]) if hasattr(m, "permute_dims")
        else m.transpose(x, tuple(range(x.ndim))[::-1]), None),
    ("expand0", lambda m, x: m.expand_dims(x, 0), None),
    ("expand_tuple", lambda m, x: m.expand_dims(x, (0, -1)), None),
    ("squeeze", lambda m, x: m.squeeze(x), None),
    ("flip", lambda m, x: m.flip(x), None),
    ("flip0", lambda m, x: m.flip(x, 0), None),
    ("flip_tuple", lambda m, x: m.flip(x, (0, -1)), None),
    ("flipud", lambda m, x: m.flipud(x), None),
    ("fliplr", lambda m, x: m.fliplr(x), None),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), None),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, -1), None),
    ("rollaxis", lambda m, x: m.rollaxis(x, -1), None),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2,) + x.shape), None),
    ("concat_self", lambda m, x: m.concatenate([x, x, x], axis=0), None),
    ("concat_last", lambda m, x: m.concatenate([x, x[..., :1]], axis=-1), None),
    ("concat_none", lambda m, x: m.concatenate([x, x], axis=None), None),
    ("stack", lambda m, x: m.stack([x, x], axis=-1), None),
    ("stack0", lambda m, x: m.stack([x, x, x]), None),
    ("vstack", lambda m, x: m.vstack([x, x]), None),
    ("hstack", lambda m, x: m.hstack([x, x]), None),
    ("dstack", lambda m, x: m.dstack([x, x]), None),
    ("column_stack", lambda m, x: m.column_stack([x, x]), None),
    ("tile", lambda m, x: m.tile(x, 2), None),
    ("tile_tuple", lambda m, x: m.tile(x, (2, 1, 3)), None),
    ("repeat", lambda m, x: m.repeat(x, 3), None),
    ("repeat_axis", lambda m, x: m.repeat(x, 2, axis=0), None),
    ("repeat_array", lambda m, x: m.repeat(x, np.arange(x.shape[-1]) % 3, axis=-1), None),
    ("roll", lambda m, x: m.roll(x, 3), None),
    ("roll_axis", lambda m, x: m.roll(x, -1, axis=0), None),
    ("roll_tuple", lambda m, x: m.roll(x, (1, 2), axis=(0, -1)), None),
    ("atleast_1d", lambda m, x: m.atleast_1d(x), None),
    ("atleast_2d", lambda m, x: m.atleast_2d(x), None),
    ("atleast_3d", lambda m, x: m.atleast_3d(x), None),
    ("diagonal", lambda m, x: m.diagonal(x), None),
    ("diagonal_off", lambda m, x: m.diagonal(x, 1, -1, 0), None),
    ("diagonal_neg", lambda m, x: m.diagonal(x, -1), None),
    ("pad", lambda m, x: m.pad(x, 1), None),
    ("pad_widths", lambda m, x: m.pad(x, [(1, 0)] + [(0, 2)] * (x.ndim - 1), constant_values=7), None),
    ("pad_edge", lambda m, x: m.pad(x, 2, mode="edge"), None),
    ("pad_wrap", lambda m, x: m.pad(x, 1, mode="wrap"), None),
    ("array_split", lambda m, x: tuple(m.array_split(x, 3)), None),
    ("split_idx", lambda m, x: tuple(m.split(x, [1, 2], axis=-1)), None),
    ("rot90", lambda m, x: m.rot90(x), None),
]


@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_manipulation_matches_numpy(case):
    _, fn, _ = case
    for dtype in ("float64", "int8", "bool", "complex64", "uint16"):
        for shape in SHAPES:
            check_op(lambda x: fn(em, x), lambda x: fn(np, x), sample(shape, dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES + ["bfloat16"])
def test_joins_every_dtype(dtype):
    a = sample((3, 4), dtype, 1)
    b = sample((2, 4), dtype, 2)
    check_op(lambda x, y: em.concat([x, y]), lambda x, y: np.concatenate([x, y]), a, b)
    check_op(lambda x, y: em.stack([x, x[::-1]], axis=1), lambda x, y: np.stack([x, x[::-1]], axis=1), a, b)
    check_op(lambda x: em.repeat(x, [1, 0, 2], axis=0), lambda x: np.repeat(x, [1, 0, 2], axis=0), a)
    check_op(lambda x: em.tile(x, (2, 2)), lambda x: np.tile(x, (2, 2)), a)


@pytest.mark.parametrize("pair", [("int8", "uint8"), ("bool", "int16"), ("float32", "int64"), ("float16", "complex64"),
                                  ("uint64", "int64"), ("int32", "float32")])
def test_concat_promotes_as_numpy(pair):
    a, b = sample((2, 3), pair[0]), sample((1, 3), pair[1])
    check_op(lambda x, y: em.concatenate([x, y]), lambda x, y: np.concatenate([x, y]), a, b)
    check_op(lambda x, y: em.stack([x[:1], y]), lambda x, y: np.stack([x[:1], y]), a, b)


def test_concat_of_many_is_one_node_and_linear():
    parts = [em.full((3,), float(i)) for i in range(2000)]
    r = em.concat(parts)
    assert_matches(r, np.repeat(np.arange(2000.0), 3))


def test_errors_as_numpy():
    a = em.zeros((2, 3))
    for fn, exc in [
        (lambda: em.concat([a, em.zeros((2, 4))]), ValueError),
        (lambda: em.concat([a, em.zeros(3)]), ValueError),
        (lambda: em.concat([em.zeros(())]), ValueError),
        (lambda: em.concat([]), ValueError),
        (lambda: em.stack([a, em.zeros((3, 2))]), ValueError),
        (lambda: em.concat([a], axis=2), np.exceptions.AxisError),
        (lambda: em.squeeze(a, 0), ValueError),
        (lambda: em.expand_dims(a, 3), np.exceptions.AxisError),
        (lambda: em.flip(a, (0, 0)), ValueError),
        (lambda: em.split(a, 2, axis=1), ValueError),
        (lambda: em.broadcast_to(a, (3, 3)), ValueError),
        (lambda: em.repeat(a, -1), ValueError),
        (lambda: em.repeat(a, [1, 2], axis=1), ValueError),
        (lambda: em.diagonal(a, 0, 1, 1), ValueError),
        (lambda: em.diagonal(em.zeros(3)), ValueError),
        (lambda: em.reshape(a, (4, 2)), ValueError),
        (lambda: em.moveaxis(a, 0, 5), np.exceptions.AxisError),
    ]:
        with pytest.raises(exc):
            fn()
    with pytest.raises(ValueError, match=r"dimension 1.*size 3.*size 4"):
        em.concat([a, em.zeros((2, 4))])


def test_split_returns_views():
    e = em.zeros((4, 6))
    parts = em.split(e, 3, axis=1)
    parts[1][...] = 1.0
    a = np.zeros((4, 6))
    a[:, 2:4] = 1.0
    assert_matches(e, a)
    assert [p.shape for p in em.array_split(em.zeros(7), 3)] == [(3,), (2,), (2,)]
    assert [p.shape for p in em.unstack(em.zeros((2, 3, 4)), axis=1)] == [(2, 4)] * 3
    assert [p.shape for p in em.hsplit(em.zeros((2, 4)), 2)] == [(2, 2)] * 2


def test_broadcast_helpers():
    assert em.broadcast_shapes((3, 1), (1, 4), ()) == (3, 4)
    xs = em.broadcast_arrays(em.zeros((3, 1)), em.ones(4))
    assert [x.shape for x in xs] == [(3, 4), (3, 4)]
    assert em.shape(em.zeros((2, 3))) == (2, 3) and em.ndim(em.zeros(())) == 0 and em.size(em.zeros((2, 3)), 1) == 3


def test_copyto():
    e = em.zeros((2, 3))
    a = np.zeros((2, 3))
    src = np.arange(3.0)
    em.copyto(e, src)
    np.copyto(a, src)
    assert_matches(e, a)
    m = np.array([True, False, True])
    em.copyto(e, 5.0, where=m)
    np.copyto(a, 5.0, where=m)
    assert_matches(e, a)
    with pytest.raises(TypeError):
        em.copyto(em.zeros(3, dtype="int32"), np.ones(3))


def test_trace():
    a = sample((3, 4, 2), "float64")
    check_op(lambda x: em.trace(x), lambda x: np.trace(x), a)
    check_op(lambda x: em.trace(x, 1, 1, 2), lambda x: np.trace(x, 1, 1, 2), a)
