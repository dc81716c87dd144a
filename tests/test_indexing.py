"""Advanced indexing (integer arrays, boolean masks, lists) and the indexing functions, against NumPy."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, INT_DTYPES, assert_matches, check_op, layouts, sample

A = np.arange(60).reshape(3, 4, 5)
M = A % 3 == 0

# Keys for a (3, 4, 5) array: every placement case of NumPy's advanced-indexing rule.
KEYS = [
    np.array([2, 0, -1]),
    [1, 0],
    (slice(None), [3, 0, -4]),
    (Ellipsis, [[1], [4]]),
    ([0, 2], [1, 3]),                       # adjacent: axes replaced in place
    ([0, 2], slice(None), [1, 3]),          # separated by a slice: broadcast axes first
    (0, slice(None), [0, 1]),               # an int counts as advanced: (2, 4), not (4, 2)
    (slice(None), 0, [0, 1]),               # adjacent int + array: in place
    ([[0], [2]], [1, 2, 3]),                # broadcasting index arrays
    (None, [1], None, [2]),                 # None separates them
    ([[0]], [1], slice(None, None, -1)),
    (slice(1, None), [[0, 1]], slice(None, None, 2)),
    (np.array(1), [0, 1]),                  # 0-d integer array
    M,                                      # full mask
    (slice(None), M[0]),                    # 2-d mask after a slice
    (M[:, 0, 0], 1),
    ([True, False, True], slice(None), [0, 4]),
    True,
    False,
    (Ellipsis, True),
    ([], ),
    np.array([], dtype=np.int64),
]


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_getitem_matches_numpy(key):
    check_op(lambda x: x[key], lambda x: x[key], A)


@pytest.mark.parametrize("dtype", ALL_DTYPES + ["bfloat16"])
def test_getitem_every_dtype(dtype):
    a = sample((4, 5), dtype)
    for key in ([3, 0, 3], (slice(None), [-1, 1]), a.real > 0 if dtype[0] == "c" else a > 0):
        check_op(lambda x: x[key], lambda x: x[key], a)


@pytest.mark.parametrize("idx_dtype", INT_DTYPES)
def test_index_arrays_of_every_integer_dtype(idx_dtype):
    idx = np.array([3, 0, 2], dtype=idx_dtype)
    check_op(lambda x: x[idx], lambda x: x[idx], A[0])
    check_op(lambda x: x[:, idx], lambda x: x[:, idx], A[0])


def test_awkward_shapes():
    for shape, key in [((0,), []), ((0, 3), (slice(None), [1, 2])), ((2, 0), [1, 1, 0]), ((5,), np.zeros((2, 0), int)),
                       ((), True), ((), False), ((), None)]:
        a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
        check_op(lambda x: x[key], lambda x: x[key], a)


def test_out_of_range_index_names_index_and_size():
    e = em.asarray(A)
    with pytest.raises(IndexError, match=r"index 4 is out of bounds for axis 1 with size 4"):
        e[:, [0, 4]].numpy()
    with pytest.raises(IndexError, match=r"index -6 is out of bounds for axis 2 with size 5"):
        e[0, 0, [-6]].numpy()
    with pytest.raises(IndexError):
        e[[1.5]]
    with pytest.raises(IndexError, match="boolean index did not match"):
        e[np.ones(4, bool)]
    with pytest.raises(IndexError, match="shape mismatch"):
        e[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError, match="too many indices"):
        e[0, 0, 0, [0]]


def test_mask_read_is_a_sync_point_but_lazy_gather_is_not():
    e = em.asarray(A) * 2  # lazy
    g = e[[0, 2]]
    assert not g._h.is_evaluated()
    assert_matches(g, (A * 2)[[0, 2]])


# ---- writes ----

def check_write(base, key, value):
    """a[key] = value in every layout of `base`; the written view and its base must match NumPy."""
    for name, np_a, em_a in layouts(base):
        expected = np_a.copy()
        expected[key] = value
        em_a[key] = value
        assert_matches(em_a, expected)


@pytest.mark.parametrize("key", [k for k in KEYS if not (isinstance(k, np.ndarray) and k.size == 0)][:16],
                         ids=range(16))
def test_setitem_matches_numpy(key):
    check_write(A.astype(np.float64), key, -1.0)
    shape = np.zeros(A.shape)[key].shape
    check_write(A.astype(np.int32), key, np.arange(int(np.prod(shape)), dtype=np.int16).reshape(shape))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_setitem_every_dtype(dtype):
    a = sample((6, 3), dtype, 1)
    v = sample((3,), dtype, 2)
    check_write(a, [0, 5, 2], v)
    check_write(a, (slice(None), [2, 0]), v[:1])
    check_write(a, a != a[0:1], v[0])


def test_setitem_duplicates_last_wins_and_iadd_does_not_accumulate():
    a = np.zeros(5)
    e = em.zeros(5)
    idx = [1, 1, 3, 1]
    a[idx] = [1, 2, 3, 4]
    e[idx] = [1, 2, 3, 4]
    assert_matches(e, a)
    a[idx] += 10
    e[idx] += 10
    assert_matches(e, a)
    a[a > 10] += 1
    e[e > 10] += 1
    assert_matches(e, a)


def test_setitem_value_broadcasting_and_casting():
    for key, value in [([0, 2], [[[7.9]], [[8.2]]]), (M, 5), (M, np.arange(M.sum())), ((0, M[0]), -2.5),
                       ([[0]], np.ones((1, 1, 4, 5))), ((slice(None), [1, 2], 0), np.array([3, 4]))]:
        check_write(A.astype(np.int64), key, value)


def test_failed_writes_leave_target_intact():
    e = em.asarray(A.astype(np.float64))
    lazy = e + 1
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 4, 5\)|\(2, 4, 5\).*\(3,\)"):
        e[[0, 1]] = np.ones(3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        e[[0, 3]] = 1.0
    with pytest.raises(IndexError):
        e[np.ones((3, 4), bool), [7]] = 1.0
    with pytest.raises(OverflowError):
        em.asarray(np.zeros(3, np.uint8))[[0]] = -1
    assert_matches(e, A.astype(np.float64))
    assert_matches(lazy, A + 1.0)


def test_scatter_keeps_lazy_readers_and_updates_views():
    a = A.astype(np.float64)
    e = em.asarray(a.copy())
    before = e * 1.0
    row = e[1]
    col = e[:, ::-1, 2]
    e[[1, 2], [3, 0]] = 100.0
    expected = a.copy()
    expected[[1, 2], [3, 0]] = 100.0
    assert_matches(before, a)
    assert_matches(row, expected[1])
    assert_matches(col, expected[:, ::-1, 2])
    # a write through an advanced index of a view lands in the base
    v = e[:, 1:3]
    v[[0, 2], [1]] = -5.0
    expected[:, 1:3][[0, 2], [1]] = -5.0
    assert_matches(e, expected)


def test_mask_fill_is_lazy_and_matches():
    a = sample((5, 6), "float32")
    e = em.asarray(a) * 1  # lazy
    e[e > 1] = 1
    assert not e._h.is_evaluated()
    b = a.copy()
    b[b > 1] = 1
    assert_matches(e, b)


def test_read_only_targets_refuse_advanced_writes():
    b = em.broadcast_to(em.asarray(np.arange(3.0)), (2, 3))
    with pytest.raises(ValueError, match="read-only"):
        b[[0]] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        b[b > 0] = 1.0


# ---- functions ----

def test_take():
    for dtype in ("int8", "float64", "complex64", "bool"):
        a = sample((4, 5), dtype)
        check_op(lambda x: em.take(x, [0, 3, -1], axis=1), lambda x: np.take(x, [0, 3, -1], axis=1), a)
        check_op(lambda x: em.take(x, np.array([[7, 0], [19, 2]])), lambda x: np.take(x, [[7, 0], [19, 2]]), a)
        check_op(lambda x: em.take(x, 2, axis=0), lambda x: np.take(x, 2, axis=0), a)
        check_op(lambda x: em.take(x, [9], axis=1), lambda x: np.take(x, [9], axis=1), a)


def test_take_along_axis_and_put_along_axis():
    a = sample((3, 4, 2), "float64")
    idx = np.argsort(a, axis=1)
    for axis in (0, 1, 2, -1):
        i = np.argsort(a, axis=axis)
        check_op(lambda x: em.take_along_axis(x, i, axis), lambda x: np.take_along_axis(x, i, axis), a)
    check_op(lambda x: em.take_along_axis(x, idx[:, :1], 1), lambda x: np.take_along_axis(x, idx[:, :1], 1), a)
    check_op(lambda x: em.take_along_axis(x, np.array([5, 0]), None), lambda x: np.take_along_axis(x, np.array([5, 0]), None), a)
    e = em.asarray(a.copy())
    b = a.copy()
    np.put_along_axis(b, idx[:, :2], -1.0, 1)
    em.put_along_axis(e, idx[:, :2], -1.0, 1)
    assert_matches(e, b)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_nonzero_family(dtype):
    for shape in [(0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)]:
        a = sample(shape, dtype, 3)
        check_op(em.nonzero, np.nonzero, a)
        check_op(em.argwhere, np.argwhere, a)
        check_op(em.flatnonzero, np.flatnonzero, a)
    with pytest.raises(ValueError):
        em.nonzero(em.asarray(1.0))
    check_op(em.argwhere, np.argwhere, np.array(3, dtype=dtype))


def test_extract_compress_put():
    a = sample((4, 5), "int32")
    c = a > 0
    check_op(lambda x: em.extract(c, x), lambda x: np.extract(c, x), a)
    check_op(lambda x: em.compress([True, False, True], x, axis=0), lambda x: np.compress([True, False, True], x, axis=0), a)
    b = a.copy()
    e = em.asarray(a.copy())
    np.put(b, [0, 7, 19], [-1, -2])
    em.put(e, [0, 7, 19], [-1, -2])
    assert_matches(e, b)


def test_random_fancy_indexing_against_numpy():
    rng = np.random.default_rng(0)
    for trial in range(60):
        shape = tuple(rng.integers(1, 5, size=rng.integers(1, 4)))
        a = np.arange(int(np.prod(shape))).reshape(shape)
        key = []
        for d in shape:
            kind = rng.integers(0, 4)
            if kind == 0:
                key.append(rng.integers(-d, d, size=rng.integers(1, 3)).tolist())
            elif kind == 1:
                key.append(slice(None, None, int(rng.choice([-2, -1, 1, 2]))))
            elif kind == 2:
                key.append(int(rng.integers(-d, d)))
            else:
                key.append(rng.integers(0, 2, size=d).astype(bool))
        key = tuple(key)
        try:
            expected = a[key]
        except IndexError:
            with pytest.raises(IndexError):
                em.asarray(a)[key]
            continue
        assert_matches(em.asarray(a)[key], expected)
        e = em.asarray(a.copy())
        b = a.copy()
        b[key] = -1
        e[key] = -1
        assert_matches(e, b)
