"""The call path of @em.jit: a small plan on evaluated cpu arguments runs at once (its results are
computed when the call returns); everything else stays a lazy node. Both give NumPy's results, and
errors, writes to arguments, nesting and asynchronous work behave the same either way."""
import numpy as np
import pytest

import ember as em
from helpers import SHAPES, assert_matches, layouts, sample


def evaluated(a):
    return a._h.is_evaluated()


def axpy(x, y):
    return x * y + 1


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint16", "float32", "float64", "complex64"])
@pytest.mark.parametrize("shape", SHAPES)
def test_small_call_runs_at_once_and_matches_numpy(dtype, shape):
    x, y = sample(shape, dtype, 1), sample(shape, dtype, 2)
    f = em.jit(axpy)
    for _ in range(3):  # the first call compiles the program; later ones reuse it
        r = f(em.asarray(x), em.asarray(y))
        assert evaluated(r)
        assert_matches(r, axpy(x, y))
    assert f.trace_count == 1


def test_large_call_stays_lazy():
    n = (1 << 16) + 1  # more elements than a small plan may hold
    x = sample((n,), "float64")
    f = em.jit(lambda a: em.exp(a) * 2.0)
    r = f(em.asarray(x))
    assert not evaluated(r)
    assert_matches(r, np.exp(x) * 2.0)


def test_lazy_arguments_keep_the_call_lazy():
    base = sample((6, 8), "float64")
    e = em.asarray(base)
    f = em.jit(lambda a, b: a - 2 * b)
    lazy = e + 1.0  # not computed yet: the call waits for it like any other reader
    r = f(lazy, e)
    assert not evaluated(r) and not evaluated(lazy)
    assert_matches(r, (base + 1.0) - 2 * base)
    r = f((e + 1.0)[::2], e[::2])  # a view of a lazy value
    assert not evaluated(r)
    assert_matches(r, (base + 1.0)[::2] - 2 * base[::2])


@pytest.mark.parametrize("dtype", ["int32", "float32", "complex128"])
def test_views_of_evaluated_arrays_run_at_once_in_every_layout(dtype):
    # One program serves every layout of the same shape: each call binds its inputs' strides.
    f = em.jit(lambda a, b: a * b - a)
    x, y = sample((3, 4), dtype, 5), sample((3, 4), dtype, 6)
    for _ in range(2):
        for (_, xn, xe), (_, yn, ye) in zip(layouts(x), layouts(y)[::-1]):
            r = f(xe, ye)
            assert evaluated(r)
            assert_matches(r, xn * yn - xn)
    assert f.trace_count == 1
    e = em.asarray(sample((6, 8), dtype, 7))
    assert_matches(f(e[::-1, 1::2], e[:, ::2]), e.numpy()[::-1, 1::2] * e.numpy()[:, ::2] - e.numpy()[::-1, 1::2])


def test_loops_inside_stay_lazy():
    @em.jit
    def f(x, n):
        for _ in range(n):  # n is an array: a fori_loop node, which may run long
            x = x * 2.0
        return x

    r = f(em.asarray(np.ones(3)), em.asarray(4))
    assert not evaluated(r)
    assert_matches(r, np.full(3, 16.0))


def test_results_of_every_layout():
    @em.jit
    def f(x, y):
        return {"s": x + y, "pair": (x * 2, 3), "n": None, "list": [y]}

    x, y = sample((4,), "float32", 3), sample((4,), "float32", 4)
    for _ in range(2):
        out = f(em.asarray(x), em.asarray(y))
        assert set(out) == {"s", "pair", "n", "list"} and out["n"] is None and out["pair"][1] == 3
        assert_matches(out["s"], x + y)
        assert_matches(out["pair"][0], x * 2)
        assert_matches(out["list"][0], y)

    g = em.jit(lambda a: (a + 1, a - 1))
    t = g(em.asarray(x))
    assert isinstance(t, tuple) and len(t) == 2 and all(evaluated(r) for r in t)
    assert_matches(t[0], x + 1)
    assert_matches(t[1], x - 1)
    same = em.jit(lambda a: a)(em.asarray(x))  # a result that is an argument
    assert_matches(same, x)


@pytest.mark.parametrize("name", ["transpose", "view of a product", "rows", "argument"])
def test_results_that_are_views_or_arguments(name):
    fn = {"transpose": lambda a: a.T, "view of a product": lambda a: (a * 2)[1:, ::2],
          "rows": lambda a: a[1:], "argument": lambda a: a}[name]
    x = sample((3, 4), "float64", 8)
    e = em.asarray(x)
    f = em.jit(fn)
    for _ in range(2):
        r = f(e)
        assert_matches(r, fn(x))
    r[...] = 0.0  # the result is a new array: writing to it leaves the argument alone
    assert_matches(e, x)
    assert_matches(f(e), fn(x))


def test_closure_constants_are_computed_at_the_first_call():
    table = em.asarray(np.arange(5.0)) * 3.0  # lazy when the function is traced

    @em.jit
    def f(x):
        return x + table + em.arange(5.0)

    x = sample((5,), "float64")
    for _ in range(2):
        r = f(em.asarray(x))
        assert evaluated(r)
        assert_matches(r, x + np.arange(5.0) * 3.0 + np.arange(5.0))


def test_writes_to_arguments_at_once():
    @em.jit
    def f(x, y):
        x[::2] *= y[::2]
        return x.sum()

    a, b = em.asarray(np.arange(6.0)), em.asarray(np.full(6, 2.0))
    expect = np.arange(6.0)
    for _ in range(3):
        s = f(a, b)
        expect[::2] *= 2.0
        assert_matches(s, expect.sum())
        assert_matches(a, expect)
    assert f.trace_count == 1


def test_an_error_surfaces_at_the_sync_point():
    f = em.jit(lambda x, i: em.take(x, i))
    x = em.asarray(np.arange(4.0))
    r = f(x, em.asarray(np.array([0, 9])))  # the call itself does not raise
    with pytest.raises(IndexError, match="out of bounds"):
        r.numpy()
    assert_matches(f(x, em.asarray(np.array([3, 1]))), np.array([3.0, 1.0]))  # the program still runs
    assert_matches(x, np.arange(4.0))


def test_nested_jit_stays_a_node_of_the_outer_plan():
    inner = em.jit(lambda v: v * 2.0)

    @em.jit
    def outer(x):
        return inner(x) + inner(em.arange(3.0))  # the second call's argument is a constant

    x = sample((3,), "float64")
    assert "call" in str(outer.lower(em.asarray(x)))
    assert_matches(outer(em.asarray(x)), x * 2.0 + np.arange(3.0) * 2.0)


def test_pending_asynchronous_work_keeps_the_call_lazy():
    big = em.asarray(np.ones(1 << 19)) * 2.0
    em.eval_async(big)  # the background work is not collected until a sync point
    f = em.jit(axpy)
    x = sample((8,), "float64")
    r = f(em.asarray(x), em.asarray(x))
    assert not evaluated(r)
    assert_matches(r, axpy(x, x))
    assert float(big.sum()) == 2.0 * (1 << 19)
    assert evaluated(f(em.asarray(x), em.asarray(x)))  # collected: at once again


def test_profile_counts_calls_that_ran_at_once():
    f = em.jit(lambda a: a * 2.0 + 1.0)
    x = em.asarray(sample((8,), "float64"))
    f(x).numpy()
    with em.profile() as p:
        for _ in range(3):
            f(x)
    rows = {r["op"]: r for r in p.to_list()}
    assert rows["multiply"]["calls"] == 3 and rows["add"]["calls"] == 3
    assert rows["add"]["origin"].endswith(f"test_jit_call.py:{f.__wrapped__.__code__.co_firstlineno}")


class _HasH:
    """Not an array, though it has an `_h` attribute: a jit argument like any other hashable."""
    _h = "not a handle"

    def __init__(self, k):
        self.k = k

    def __hash__(self):
        return hash(self.k)

    def __eq__(self, other):
        return isinstance(other, _HasH) and other.k == self.k


def test_arguments_that_are_not_ember_arrays_take_the_general_path():
    f = em.jit(lambda a, b: a * b.k if isinstance(b, _HasH) else a * b)
    x = sample((5,), "float64", 9)
    e = em.asarray(x)
    assert_matches(f(e, _HasH(3)), x * 3)
    assert_matches(f(e, _HasH(4)), x * 4)
    assert_matches(f(e, x), x * x)  # a NumPy array: an array argument, not part of the fast signature
    assert_matches(f(e, 2.5), x * 2.5)
    assert f.trace_count == 4
    assert_matches(f(e, _HasH(3)), x * 3)
    assert f.trace_count == 4
