"""Mutation semantics as NumPy's: views share memory, writes (also lazy ones) are seen through every
view, lazy readers made before a write keep the old values, failed writes change nothing."""
import numpy as np
import pytest

import ember as em
from helpers import assert_matches


def pair(shape=(4, 6), dtype=np.float64):
    a = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    return a, em.asarray(a.copy())


# Each view maker gives a writable view of a (4, 6) array in both libraries.
VIEWS = {
    "rows": lambda m, x: x[1:3],
    "step": lambda m, x: x[::2, 1::2],
    "negative-step": lambda m, x: x[::-1, ::-2],
    "transpose": lambda m, x: x.T,
    "reshaped": lambda m, x: x.reshape(2, 12),
    "reshaped-3d": lambda m, x: x.reshape(2, 2, 6)[:, 1],
    "newaxis": lambda m, x: x[None, :, 2],
    "ellipsis-int": lambda m, x: x[..., 3],
    "swapaxes": lambda m, x: m.swapaxes(x, 0, 1)[::3],
    "flip": lambda m, x: m.flip(x, 1),
    "moveaxis": lambda m, x: m.moveaxis(x.reshape(2, 2, 6), 0, -1),
    "split": lambda m, x: m.split(x, 3, axis=1)[1],
    "squeeze": lambda m, x: m.squeeze(x[1:2]),
    "expand_dims": lambda m, x: m.expand_dims(x, 0)[0, 2:],
}


@pytest.mark.parametrize("name", VIEWS)
def test_writes_through_views_reach_base_and_other_views(name):
    a, e = pair()
    make = VIEWS[name]
    va, ve = make(np, a), make(em, e)
    other_a, other_e = a[:, ::-1], e[:, ::-1]  # an unrelated view made before the writes
    lazy = e * 1.0  # a lazy reader made before the writes
    va[...] = -1.0
    ve[...] = -1.0
    assert_matches(e, a)
    assert_matches(other_e, other_a)
    va += 5  # in-place operator on the view
    ve += 5
    assert_matches(e, a)
    assert_matches(ve, va)
    sub = (0,) * (va.ndim - 1) + (slice(None, None, -1),) if va.ndim else ()
    va[sub] = 42.0
    ve[sub] = 42.0
    assert_matches(e, a)
    assert_matches(lazy, np.arange(24.0).reshape(4, 6))


def test_views_of_a_lazy_base_see_lazy_writes():
    e = em.arange(24.0).reshape(4, 6) * 2  # lazy
    a = np.arange(24.0).reshape(4, 6) * 2
    v = e[1:, ::2]
    e[2] = 0.0
    a[2] = 0.0
    v[0] += 100
    a[1:, ::2][0] += 100
    assert not e._h.is_evaluated()
    assert_matches(v, a[1:, ::2])
    assert_matches(e, a)


def test_diagonal_view_sees_writes_and_is_read_only_as_numpy():
    a, e = pair((4, 5))
    d = {k: em.diagonal(e, k) for k in (0, 2, -1)}
    e[1:3] = -7.0  # lazy write to the base: every diagonal view sees it
    a[1:3] = -7.0
    for k, v in d.items():
        assert_matches(v, np.diagonal(a, k))
        with pytest.raises(ValueError, match="read-only"):
            v[...] = 0.0
    assert_matches(e, a)


def test_lazy_readers_keep_old_values():
    a, e = pair()
    readers = [e + 0, e[1:3] * 1, e.T[::-1] + 0, e[[0, 3]], em.concat([e, e])]
    expected = [a + 0, a[1:3] * 1, a.T[::-1] + 0, a[[0, 3]], np.concatenate([a, a])]
    e[1:3] = 0
    e[[0, 3], 1] = 9
    e += 1
    for r, x in zip(readers, expected):
        assert_matches(r, x)


def test_stencil_updates_in_a_loop():
    u = np.linspace(0, 1, 32) ** 2
    e = em.asarray(u.copy())
    for _ in range(100):
        u[1:-1] = 0.5 * (u[:-2] + u[2:])
        e[1:-1] = 0.5 * (e[:-2] + e[2:])
    assert_matches(e, u)


def test_strided_inplace_add():
    a, e = pair((10,), np.int64)
    a[::2] += 1
    e[::2] += 1
    a[::-3] *= 2
    e[::-3] *= 2
    assert_matches(e, a)


@pytest.mark.parametrize("src,dst", [((slice(None, -1),), (slice(1, None),)), ((slice(1, None),), (slice(None, -1),)),
                                     ((slice(None, None, -1),), (slice(None),)), ((slice(0, 6, 2),), (slice(1, 4),))])
def test_overlapping_assignment_copies_input(src, dst):
    a, e = pair((8,))
    a[dst] = a[src]
    e[dst] = e[src]
    assert_matches(e, a)


def test_overlapping_2d_and_fancy():
    a, e = pair()
    a[1:, 1:] = a[:-1, :-1]
    e[1:, 1:] = e[:-1, :-1]
    a[[0, 1]] = a[[1, 0]]
    e[[0, 1]] = e[[1, 0]]
    a.T[2:4] = a.T[:2]
    e.T[2:4] = e.T[:2]
    assert_matches(e, a)


def test_broadcast_to_results_are_read_only():
    e = em.broadcast_to(em.arange(3.0), (4, 3))
    for write in (lambda: e.__setitem__(0, 1.0), lambda: e.__setitem__((slice(None), [0]), 1.0),
                  lambda: e.__setitem__(e > 1, 0.0), lambda: e.__iadd__(1)):
        with pytest.raises(ValueError, match="read-only"):
            write()
    for v in em.broadcast_arrays(em.zeros((2, 1)), em.zeros(3)):
        with pytest.raises(ValueError, match="read-only"):
            v[...] = 1


def test_failed_writes_leave_target_and_inputs_intact():
    a, e = pair()
    v = em.asarray(np.ones(5))
    with pytest.raises(ValueError, match=r"\(5,\)"):
        e[1:3] = v
    with pytest.raises(ValueError, match=r"\(5,\)"):
        e[[0, 1]] = v
    with pytest.raises(IndexError, match="out of bounds"):
        e[[0, 4]] = 1.0
    with pytest.raises(IndexError, match="out of bounds"):
        e[7] = 1.0
    with pytest.raises(ValueError):
        e += np.ones((2, 4, 6))
    assert_matches(e, a)
    assert_matches(v, np.ones(5))


def test_copies_do_not_share():
    a, e = pair()
    c = e.copy()
    f = e.flatten()
    g = e[[0, 1]]
    e[...] = 0
    assert_matches(c, a)
    assert_matches(f, a.reshape(-1))
    assert_matches(g, a[[0, 1]])


def test_reshape_of_non_contiguous_copies_like_numpy():
    a, e = pair()
    r_np = a.T.reshape(-1)  # a copy in NumPy
    r_em = e.T.reshape(-1)
    r_np[0] = 99
    r_em[0] = 99
    assert_matches(e, a)
    assert_matches(r_em, r_np)
    with pytest.raises(ValueError):
        em.reshape(e.T, -1, copy=False)


def test_a_failed_lazy_scatter_loses_no_data():
    e = em.arange(4)
    e[[1, 2]] = em.arange(2) ** em.asarray([-1, 2])  # fails only when computed
    with pytest.raises(ValueError):
        e.numpy()
    assert e.tolist() == [0, 1, 2, 3]
    e[[0]] = 7
    assert e.tolist() == [7, 1, 2, 3]
