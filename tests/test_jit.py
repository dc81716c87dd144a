"""@em.jit and the control-flow primitives: results against NumPy, tracing once per signature,
plans that replay, and clear errors."""
import numpy as np
import pytest

import ember as em
from helpers import assert_matches

RNG = np.random.default_rng(7)


def _arr(shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype) if np.dtype(dtype).kind == "f" else \
        RNG.integers(-5, 6, shape).astype(dtype)


# ---- jit: results and the trace cache ----

def axpy(a, x, y):
    return a * x + y


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4)])
def test_jit_matches_numpy(dtype, shape):
    x, y = _arr(shape, dtype), _arr(shape, dtype)
    f = em.jit(axpy)
    assert_matches(f(3, em.asarray(x), em.asarray(y)), axpy(3, x, y))


def test_jit_traces_once_per_signature():
    f = em.jit(axpy)
    x, y = em.arange(4.0), em.ones(4)
    for k in range(3):
        assert_matches(f(2.0, x + k, y), 2.0 * (np.arange(4.0) + k) + 1)
    assert f.trace_count == 1
    f(2.0, em.arange(5.0), em.ones(5))  # new shape
    assert f.trace_count == 2
    f(2.0, em.arange(5, dtype="float32"), em.ones(5, dtype="float32"))  # new dtype
    assert f.trace_count == 3
    f(3.0, x, y)  # numbers are part of the signature
    assert f.trace_count == 4
    f(2.0, x, y)
    assert f.trace_count == 4 and f.cache_size() == 4


def test_jit_views_and_numpy_inputs():
    base = np.arange(24.0).reshape(4, 6)
    f = em.jit(lambda a, b: (a - b) * 2)
    e = em.asarray(base)
    assert_matches(f(e[::-1, 1::2], e[:, ::2]), (base[::-1, 1::2] - base[:, ::2]) * 2)
    assert_matches(f(base.T, base.T), np.zeros((6, 4)))


def test_jit_pytrees_in_and_out_and_kwargs():
    @em.jit
    def f(params, xs, scale=1.0):
        w, b = params["w"], params["b"]
        return {"y": [x @ w + b for x in xs], "n": len(xs), "s": scale * em.sum(w)}

    w, b = _arr((3, 2)), _arr((2,))
    xs = [_arr((5, 3)), _arr((4, 3))]
    out = f({"w": em.asarray(w), "b": em.asarray(b)}, [em.asarray(x) for x in xs], scale=0.5)
    assert out["n"] == 2
    for got, x in zip(out["y"], xs):
        assert_matches(got, x @ w + b)
    assert_matches(out["s"], 0.5 * w.sum())


def test_jit_static_argnums_and_argnames():
    @em.jit(static_argnums=1, static_argnames="mode")
    def f(x, n, mode="sum"):
        for _ in range(n):  # a Python loop over a static value unrolls
            x = x * 2
        return em.sum(x) if mode == "sum" else em.max(x)

    x = em.arange(5.0)
    assert float(f(x, 3)) == pytest.approx(np.arange(5.0).sum() * 8)
    assert float(f(x, 2, mode="max")) == pytest.approx(16.0)
    assert f.trace_count == 2


def test_jit_replays_without_python():
    calls = []

    @em.jit
    def f(x):
        calls.append(1)
        return em.exp(x) + 1

    for k in range(5):
        assert_matches(f(em.full(3, float(k))), np.exp(np.full(3, float(k))) + 1)
    assert len(calls) == 1


def test_jit_closure_constants_and_writes_to_arguments():
    table = em.asarray(np.arange(4.0))

    @em.jit
    def f(x):
        x[1:] += table[1:]  # writes to the argument are seen by the caller, as in NumPy
        return x.sum()

    a = em.zeros(4)
    assert float(f(a)) == 6.0
    assert_matches(a, np.arange(4.0))
    assert float(f(a)) == 12.0
    assert_matches(a, 2 * np.arange(4.0))


def test_lower_shows_the_plan():
    f = em.jit(axpy)
    low = f.lower(2.0, em.arange(3.0), em.ones(3))
    text = str(low)
    assert "multiply" in text and "add" in text and "float64[3]" in text
    outs = low.outputs()
    assert len(outs) == 1 and not outs[0]._h.is_evaluated()
    assert_matches(outs[0], 2 * np.arange(3.0) + 1)


def test_jit_errors_name_the_problem():
    @em.jit
    def f(x):
        return helper(x)

    with pytest.raises(TypeError, match="ember.cond|ember.where"):
        f(em.arange(3.0))

    with pytest.raises(TypeError, match="neither an array"):
        em.jit(lambda x, o: x)(em.arange(3.0), [{1, 2}])


def helper(x):  # not jitted itself: its `if` on a traced array cannot be converted
    if x.sum() > 0:
        return x
    return -x


# ---- the explicit control-flow primitives ----

@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_cond_both_branches(dtype):
    x = _arr((5,), dtype)
    e = em.asarray(x)
    for pred in (True, False):
        got = em.cond(em.asarray(pred), lambda a: a * 2, lambda a: a - 1, e)
        assert_matches(got, x * 2 if pred else x - 1)


def test_cond_is_lazy_and_promotes_branch_dtypes():
    x = em.arange(4, dtype="int64")
    r = em.cond(x.sum() > 3, lambda a: a * 1.5, lambda a: a, x)  # float64 and int64 -> float64
    assert not r._h.is_evaluated()
    assert r.dtype == np.float64
    assert_matches(r, np.arange(4) * 1.5)


def test_cond_errors():
    x = em.arange(4.0)
    with pytest.raises(ValueError, match="shape"):
        em.cond(x[0] > 0, lambda a: a, lambda a: a[:2], x)
    with pytest.raises(TypeError, match="structure"):
        em.cond(x[0] > 0, lambda a: (a, a), lambda a: a, x)
    with pytest.raises(ValueError, match="one element"):
        em.cond(x > 0, lambda a: a, lambda a: a, x)


def test_while_loop_matches_python():
    def run(np_, x):
        def body(v):
            return v[0] * 1.5 + 1, v[1] + 1

        if np_ is em:
            return em.while_loop(lambda v: em.sum(v[0]) < 1000, body, (x, 0))
        v = (x, 0)
        while np.sum(v[0]) < 1000:
            v = body(v)
        return v

    x = np.linspace(0, 1, 6)
    got, exp = run(em, em.asarray(x)), run(np, x)
    assert_matches(got[0], exp[0])
    assert int(got[1]) == exp[1]


def test_while_loop_zero_trips_and_closures():
    w = em.asarray([2.0, 3.0])
    r = em.while_loop(lambda v: v.sum() > 10, lambda v: v * w, em.asarray([1.0, 1.0]))
    assert_matches(r, [1.0, 1.0])


def test_fori_loop_array_bounds_and_index():
    x = np.arange(6.0)
    n = em.asarray(4)
    r = em.fori_loop(1, n, lambda i, acc: acc + x * i, em.zeros(6))
    assert_matches(r, x * (1 + 2 + 3))
    assert_matches(em.fori_loop(5, 2, lambda i, a: a + 1, em.zeros(2)), np.zeros(2))


def test_loop_carry_dtype_rules():
    x32 = em.ones(3, dtype="float32")
    total = em.fori_loop(0, 3, lambda i, t: t + em.sum(x32), 0.0)  # a Python number takes the loop's dtype
    assert total.dtype == np.float32 and float(total) == 9.0
    with pytest.raises(TypeError, match="changes carried value 0 from int64"):
        em.fori_loop(0, 3, lambda i, t: t * 0.5, em.asarray(4))
    with pytest.raises(ValueError, match="keep their shapes"):
        em.while_loop(lambda v: v.sum() < 5, lambda v: em.concat([v, v]), em.ones(1))


def test_scan_cumulative():
    xs = np.arange(1.0, 6.0)
    carry, ys = em.scan(lambda c, x: (c + x, c * x), 0.0, em.asarray(xs))
    exp_c, exp_y = 0.0, []
    for x in xs:
        exp_y.append(exp_c * x)
        exp_c += x
    assert float(carry) == exp_c
    assert_matches(ys, np.array(exp_y))


def test_scan_rows_and_pytrees():
    xs = _arr((4, 3))
    (s, m), ys = em.scan(lambda c, x: ((c[0] + x, em.maximum(c[1], x)), {"sq": x * x}),
                         (em.zeros(3), em.full(3, -np.inf)), em.asarray(xs))
    assert_matches(s, xs.sum(0))
    assert_matches(m, xs.max(0))
    assert_matches(ys["sq"], xs * xs)


def test_nested_control_flow_inside_jit():
    @em.jit
    def f(x, n):
        def outer(i, acc):
            return em.cond(acc.sum() > 10, lambda a: a - 1, lambda a: a + x, acc)
        return em.fori_loop(0, n, outer, em.zeros_like(x))

    x = np.array([1.0, 2.0, 3.0])
    acc = np.zeros(3)
    for _ in range(6):
        acc = acc - 1 if acc.sum() > 10 else acc + x
    assert_matches(f(em.asarray(x), em.asarray(6)), acc)
    assert_matches(f(em.asarray(x), em.asarray(6)), acc)
    assert f.trace_count == 1


def test_failed_loop_leaves_inputs_intact():
    x = em.asarray(np.arange(3, dtype="int64"))
    r = em.fori_loop(0, 3, lambda i, a: a // (a - a), x)  # integer division by zero in the body
    try:
        r.numpy()
    except (ZeroDivisionError, FloatingPointError, ValueError, ArithmeticError):
        pass
    assert_matches(x, np.arange(3))


def test_explain_shows_loop_bodies_of_a_jitted_function():
    @em.jit
    def g(x, n):
        while x.sum() < n:
            x = x * 2 + 1
        return x

    text = em.explain(g, em.arange(1.0, 5.0), 100)
    assert "while_loop" in text and "body: plan" in text and "cond: plan" in text
    assert "multiply" in text and "less" in text
    dot = em.to_dot(g, em.arange(1.0, 5.0), 100)
    assert dot.startswith("digraph") and "while_loop" in dot
    assert_matches(g(em.arange(1.0, 5.0), 100), [15.0, 23.0, 31.0, 39.0])


def test_jit_replays_nodes_the_graph_passes_added():
    # x.T read by two matrix-vector products gets a row-major copy, and a view of a computed value
    # is pushed down onto its inputs: nodes the passes create, which every replay must recompute
    # from that call's inputs.
    def f(x, r):
        g = x.T @ r + x.T @ (r * 2.0)
        return g, (x * 2.0 + 1.0)[::2, 1:]
    fj = em.jit(f)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        x, r = rng.standard_normal((40, 12)), rng.standard_normal(40)
        g, v = fj(em.asarray(x), em.asarray(r))
        want_g, want_v = f(x, r)
        assert_matches(g, want_g)
        assert_matches(v, want_v)
    assert fj.trace_count == 1
