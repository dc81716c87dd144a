"""Hypothesis property tests: basic indexing (reads and writes through views) matches NumPy."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ember as em

shapes = st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple)


@st.composite
def basic_keys(draw, shape):
    """A basic index for `shape`: ints, slices (any step sign), None and at most one Ellipsis."""
    items = []
    dims = list(shape)
    used_ellipsis = False
    while dims and draw(st.booleans()):
        n = dims.pop(0)
        kind = draw(st.sampled_from(["int", "slice", "slice", "none", "ellipsis"]))
        if kind == "int" and n > 0:
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "none":
            items.append(None)
            dims.insert(0, n)
        elif kind == "ellipsis" and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            dims = []
        else:
            start = draw(st.none() | st.integers(-n - 2, n + 2))
            stop = draw(st.none() | st.integers(-n - 2, n + 2))
            step = draw(st.none() | st.integers(-3, 3).filter(lambda s: s != 0))
            items.append(slice(start, stop, step))
    return tuple(items)


@st.composite
def array_and_key(draw):
    shape = draw(shapes)
    return np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape), draw(basic_keys(shape))


@settings(max_examples=300, deadline=None)
@given(array_and_key())
def test_basic_getitem_matches_numpy(case):
    a, key = case
    expected = a[key]
    got = em.asarray(a)[key]
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got.numpy(), expected)


@settings(max_examples=300, deadline=None)
@given(array_and_key(), st.floats(-10, 10, allow_nan=False))
def test_basic_setitem_writes_through_like_numpy(case, value):
    a, key = case
    ours = em.asarray(a.copy())
    lazy_before = ours * 1.0  # a lazy reader made before the write must keep the old values
    view = ours[key]
    expected = a.copy()
    expected[key] = value
    ours[key] = value
    np.testing.assert_array_equal(ours.numpy(), expected)
    np.testing.assert_array_equal(lazy_before.numpy(), a)
    np.testing.assert_array_equal(view.numpy(), expected[key])  # the view sees the write


@settings(max_examples=200, deadline=None)
@given(array_and_key())
def test_views_of_views_write_through_to_the_base(case):
    a, key = case
    ours = em.asarray(a.copy())
    expected = a.copy()
    v_np, v_em = expected[key], ours[key]
    if v_np.ndim == 0 or v_np.size == 0:
        return
    v_np[..., ::-1][..., :1] = -1.0
    v_em[..., ::-1][..., :1] = -1.0
    np.testing.assert_array_equal(ours.numpy(), expected)
