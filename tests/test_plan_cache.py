"""The eager plan cache (graph/plan_cache.cpp): an evaluation whose graph has the structure of one
seen before replays the kept plan instead of running the graph passes and fusion again. Tested by
its counters (hits and misses by structure: ops, dtypes, shapes, layouts, scalar values, which
arrays are the same, which intermediates a user holds) and by values: equal to NumPy and, bit for
bit, to the same program with the cache off, over dtypes, shapes, views, held intermediates and
writes between evaluations."""
import subprocess
import sys

import numpy as np
import pytest

import ember as em
from ember import _core
from helpers import ALL_DTYPES, SHAPES, sample


@pytest.fixture(autouse=True)
def fresh_cache():
    _core.set_plan_cache(True)
    _core.plan_cache_clear()
    yield
    _core.set_plan_cache(True)
    _core.plan_cache_clear()


def info():
    return em.plan_cache_info()


def bits(x):
    """An evaluated array's bytes (and dtype and shape): what bit-for-bit equality compares."""
    a = np.ascontiguousarray(x.numpy() if isinstance(x, em.Array) else x)
    return a.dtype.str, a.shape, a.tobytes()


def run_three_ways(program, *args):
    """program(*args) evaluated with the cache off, then three times with it on (first sight,
    second sight: the plan is made, third: a replay): every result bit for bit the same."""
    _core.set_plan_cache(False)
    ref = bits(program(*args))
    _core.set_plan_cache(True)
    outs = [bits(program(*args)) for _ in range(3)]
    for o in outs:
        assert o == ref
    return ref


def loop(x, n=100):
    for _ in range(n):
        x = x * 1.0001 + 0.001
    return x


def test_the_small_loop_replays_and_matches_numpy():
    sn = np.random.default_rng(0).uniform(0.1, 1.0, 1000)
    s = em.asarray(sn)
    em.eval(s)
    before = info()
    outs = [loop(s).numpy() for _ in range(5)]
    after = info()
    assert after["hits"] - before["hits"] == 3  # first and second sight miss; the plan is made on the second
    assert after["misses"] - before["misses"] == 2
    assert after["entries"] == 1
    ref = loop(sn)
    for o in outs:
        np.testing.assert_array_equal(o, ref)  # the same IEEE operations in the same order as NumPy


def test_replayed_leaves_are_the_new_ones():
    # Same structure, new data each time: the plan must read this evaluation's arrays.
    rng = np.random.default_rng(1)
    for i in range(6):
        an, bn = rng.uniform(-3, 3, 50), rng.uniform(-3, 3, 50)
        out = (em.asarray(an) * em.asarray(bn) + 2.5).numpy()
        np.testing.assert_array_equal(out, an * bn + 2.5)
    assert info()["hits"] == 4


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_dtypes_and_shapes_match_numpy_and_the_uncached_path(dtype, shape):
    an, bn = sample(shape, dtype, seed=1), sample(shape, dtype, seed=2)
    if np.dtype(dtype).kind in "iu":
        bn = np.where(bn == 0, 1, bn).astype(dtype)
    a, b = em.asarray(an), em.asarray(bn)

    def program(a, b):
        y = em.where(a > b, a, b) * b
        return y + a

    got = run_three_ways(program, a, b)
    with np.errstate(all="ignore"):
        ref = bits(program(an, bn))
    assert got[:2] == ref[:2]
    np.testing.assert_array_equal(np.frombuffer(got[2], dtype=got[0]), np.frombuffer(ref[2], dtype=ref[0]))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "complex128", "float16"])
def test_reductions_and_scalar_chains(dtype):
    xn = sample((13, 9), dtype, seed=3)
    x = em.asarray(xn)

    def program(x):
        return em.sum(x * 2 + 1, axis=1) + em.max(x - 1)

    got = run_three_ways(program, x)
    ref = (xn * 2 + 1).sum(axis=1) + (xn - 1).max()
    rtol = {"float16": 1e-2, "float32": 1e-5}.get(dtype, 1e-12)  # float sums: NumPy's order is not ours
    np.testing.assert_allclose(np.frombuffer(got[2], dtype=got[0]), ref, rtol=rtol, atol=rtol)
    assert info()["hits"] >= 1


def test_a_different_structure_misses():
    a = em.asarray(np.arange(10.0))
    for _ in range(3):
        (a * 2.0 + 1.0).numpy()
    assert info()["hits"] == 1
    hits = info()["hits"]
    variants = [
        lambda: a * 2.0 + 2.0,                              # another scalar value
        lambda: a * 2.0 - 1.0,                              # another op
        lambda: a.astype("float32") * 2.0 + 1.0,            # another dtype
        lambda: em.asarray(np.arange(11.0)) * 2.0 + 1.0,    # another shape
        lambda: em.asarray(np.arange(20.0))[::2] * 2.0 + 1.0,  # another layout
        lambda: a * 2 + 1.0,                                # an int scalar: another leaf dtype
    ]
    for v in variants:
        v().numpy()
        assert info()["hits"] == hits, v


def test_float_scalars_are_keyed_bit_for_bit():
    a = em.asarray(np.array([1.0, -2.0, np.inf]))
    for _ in range(3):
        np.testing.assert_array_equal((a + 0.0).numpy(), np.array([1.0, -2.0, np.inf]))
    hits = info()["hits"]
    out = (a + -0.0).numpy()  # x + -0.0 simplifies away; x + 0.0 does not: they may not share a plan
    assert info()["hits"] == hits
    np.testing.assert_array_equal(out, np.array([1.0, -2.0, np.inf]) + -0.0)
    z = em.asarray(np.array([-0.0]))
    for c in (0.0, -0.0, 0.0, -0.0, 0.0, -0.0):
        assert bits(z + c) == bits(np.array([-0.0]) + c)


def test_the_same_array_twice_is_another_structure():
    an, bn = np.arange(6.0), np.arange(6.0) * 10
    a, b = em.asarray(an), em.asarray(bn)
    for _ in range(3):
        np.testing.assert_array_equal((a * 2.0 + b).numpy(), an * 2.0 + bn)
    hits = info()["hits"]
    np.testing.assert_array_equal((a * 2.0 + a).numpy(), an * 2.0 + an)
    assert info()["hits"] == hits
    for _ in range(3):
        np.testing.assert_array_equal((a * 2.0 + a).numpy(), an * 2.0 + an)
        np.testing.assert_array_equal((b * 2.0 + a).numpy(), bn * 2.0 + an)


def test_held_intermediates_get_their_values():
    an = np.linspace(-1, 1, 33)
    a = em.asarray(an)
    for i in range(4):
        t = a * 3.0  # held: must be stored, and is another structure than the chain without it
        y = em.exp(t) + 1.0
        em.eval(y)
        assert t._h.is_evaluated() and y._h.is_evaluated()
        np.testing.assert_array_equal(t.numpy(), an * 3.0)
        np.testing.assert_allclose(y.numpy(), np.exp(an * 3.0) + 1.0, rtol=1e-15)
        y2 = em.exp(a * 3.0) + 1.0  # the same ops, nothing held
        np.testing.assert_array_equal(y2.numpy(), y.numpy())
    assert info()["hits"] >= 4
    assert info()["entries"] == 2


def test_several_roots_and_shared_subexpressions():
    an = np.linspace(0.5, 2, 40)
    a = em.asarray(an)
    for _ in range(4):
        u = em.sqrt(a) * 2.0
        v, w = u + 1.0, u - 1.0
        em.eval(v, w)
        np.testing.assert_array_equal(v.numpy(), np.sqrt(an) * 2.0 + 1.0)
        np.testing.assert_array_equal(w.numpy(), np.sqrt(an) * 2.0 - 1.0)
        np.testing.assert_array_equal(u.numpy(), np.sqrt(an) * 2.0)
    assert info()["hits"] >= 2


def test_views_of_leaves_and_of_lazy_results():
    an, bn = np.arange(24.0).reshape(4, 6), np.linspace(-1, 1, 24).reshape(4, 6)
    a, b = em.asarray(an), em.asarray(bn)
    programs = [
        (lambda a, b: a[::2, 1:] * 2.0 + b[1::2, :-1], lambda a, b: a[::2, 1:] * 2.0 + b[1::2, :-1]),
        (lambda a, b: (a + b)[:, ::-2] * 3.0, lambda a, b: (a + b)[:, ::-2] * 3.0),
        (lambda a, b: a.T * b.T[::-1] + 1.0, lambda a, b: a.T * b.T[::-1] + 1.0),
        (lambda a, b: a[:, None, :] - b[None, 2, :], lambda a, b: a[:, None, :] - b[None, 2, :]),
        (lambda a, b: em.sum((a * b)[1:3], axis=0), lambda a, b: np.sum((a * b)[1:3], axis=0)),
    ]
    for fe, fn in programs:
        got = run_three_ways(fe, a, b)
        ref = bits(fn(an, bn))
        assert got[:2] == ref[:2]
        np.testing.assert_allclose(np.frombuffer(got[2]), np.frombuffer(ref[2]), rtol=1e-15)
    assert info()["hits"] >= len(programs)


def test_a_held_view_of_a_lazy_result():
    an = np.arange(12.0)
    a = em.asarray(an)
    for _ in range(4):
        p = a * 2.0
        v = p[::3]  # the user holds the view
        y = v + 1.0
        em.eval(y)
        np.testing.assert_array_equal(v.numpy(), (an * 2.0)[::3])
        np.testing.assert_array_equal(y.numpy(), (an * 2.0)[::3] + 1.0)
        np.testing.assert_array_equal(p.numpy(), an * 2.0)
    assert info()["hits"] >= 2


def test_writes_between_evaluations_are_seen():
    an = np.arange(8.0)
    a = em.asarray(an.copy())
    ref = an.copy()
    for i in range(6):
        np.testing.assert_array_equal((a * 2.0 + 1.0).numpy(), ref * 2.0 + 1.0)
        a[i] = -i          # a lazy write: the next graph reads the new version
        ref[i] = -i
        a[1:3] += 0.5      # an in-place update through a view
        ref[1:3] += 0.5
    assert info()["bypasses"] >= 1  # graphs holding the writes take the ordinary path


def test_writes_after_building_do_not_reach_the_replayed_graph():
    an = np.arange(5.0)
    for _ in range(4):
        a = em.asarray(an.copy())
        em.eval(a)
        y = a * 2.0 + 1.0
        a[:] = 100.0  # after y was built: y reads the old version
        np.testing.assert_array_equal(y.numpy(), an * 2.0 + 1.0)
        np.testing.assert_array_equal(a.numpy(), np.full(5, 100.0))


def test_a_graph_with_a_write_in_it_bypasses():
    before = info()["bypasses"]
    a = em.zeros(4)
    a[1] = 3.0
    (a * 2.0).numpy()
    assert info()["bypasses"] > before


def test_random_draws_bypass_and_stay_random():
    draws = set()
    for _ in range(4):
        r = em.random.uniform(size=8) * 2.0
        draws.add(r.numpy().tobytes())
    assert len(draws) == 4
    assert info()["bypasses"] >= 4


def test_numpy_memory_is_never_written_and_in_place_results_stay_correct():
    an = np.linspace(1, 2, 16)
    keep = an.copy()
    for _ in range(4):
        a = em.asarray(an)
        x = em.sqrt(a) + 1.0
        x = x * x - 0.5  # x's old value dies with this kernel in the eager path
        np.testing.assert_array_equal(x.numpy(), (np.sqrt(keep) + 1.0) ** 2 - 0.5)
    np.testing.assert_array_equal(an, keep)


def test_an_error_in_a_replay_names_the_users_line():
    a = em.asarray(np.array([2, 3, 4], dtype=np.int64))
    for e in (1, 2, 3):
        np.testing.assert_array_equal((a ** em.asarray(np.array([e, 1, 0])) + 1).numpy(),
                                      np.array([2, 3, 4]) ** np.array([e, 1, 0]) + 1)
    assert info()["hits"] >= 1
    bad = a ** em.asarray(np.array([1, -1, 0])) + 1  # the failing line
    line = sys._getframe().f_lineno - 1
    with pytest.raises(ValueError, match=f"test_plan_cache.py:{line}"):
        bad.numpy()
    np.testing.assert_array_equal((a ** em.asarray(np.array([2, 2, 2])) + 1).numpy(), np.array([5, 10, 17]))


def test_profiling_bypasses():
    a = em.asarray(np.arange(10.0))
    for _ in range(3):
        (a + 1.0).numpy()
    hits = info()["hits"]
    with em.profile() as prof:
        (a + 1.0).numpy()
    assert info()["hits"] == hits
    assert "add" in str(prof.table()) if hasattr(prof, "table") else True


def test_one_and_two_threads_agree():
    an = np.random.default_rng(5).uniform(-1, 1, 3000)
    a = em.asarray(an)
    outs = {}
    try:
        for t in (1, 2, 1, 2):
            em.set_num_threads(t)
            y = em.sum(em.tanh(loop(a, 20)) * 3.0)
            outs.setdefault(t, []).append(bits(y))
    finally:
        em.set_num_threads(0)
    assert outs[1][0] == outs[1][1] == outs[2][0] == outs[2][1]


def test_large_independent_kernels_are_not_cached_so_they_still_overlap():
    n = 1 << 16
    a, b = em.asarray(np.ones(n)), em.asarray(np.full(n, 2.0))
    em.set_num_threads(2)
    try:
        for _ in range(3):
            s, t = em.sum(a * b), em.sum(a - b)
            em.eval(s, t)
            assert float(s) == 2.0 * n and float(t) == -1.0 * n
    finally:
        em.set_num_threads(0)
    assert info()["hits"] == 0


def test_async_small_work_and_jit_still_work():
    an = np.linspace(0, 1, 20)
    a = em.asarray(an)

    @em.jit
    def f(x):
        return x * 2.0 + 1.0

    for _ in range(4):
        y = a * 2.0 + 1.0
        em.eval_async(y)
        np.testing.assert_array_equal(y.numpy(), an * 2.0 + 1.0)
        np.testing.assert_array_equal(f(a).numpy(), an * 2.0 + 1.0)


def _random_program(rng, arrays):
    """A random elementwise/reduction/view program over `arrays` (a list of (ember, numpy))."""
    ops = [
        lambda x, y: (x[0] + y[0], x[1] + y[1]),
        lambda x, y: (x[0] * y[0], x[1] * y[1]),
        lambda x, y: (x[0] - 1.5, x[1] - 1.5),
        lambda x, y: (em.abs(x[0]), np.abs(x[1])),
        lambda x, y: (em.maximum(x[0], y[0]), np.maximum(x[1], y[1])),
        lambda x, y: (x[0][::-1], x[1][::-1]),
        lambda x, y: (x[0] * 0.5 + 2.0, x[1] * 0.5 + 2.0),
    ]
    vals = list(arrays)
    held = []
    for _ in range(rng.integers(3, 12)):
        f = ops[rng.integers(len(ops))]
        x, y = vals[rng.integers(len(vals))], vals[rng.integers(len(vals))]
        v = f(x, y)
        vals.append(v)
        if rng.random() < 0.2:
            held.append(v)
    root = vals[-1]
    if rng.random() < 0.3:
        root = (em.sum(root[0]), np.sum(root[1]))
    return root, held


@pytest.mark.parametrize("seed", range(12))
def test_random_programs_replay_exactly(seed):
    an, bn = np.linspace(-2, 2, 17), np.cos(np.arange(17.0))
    for rep in range(3):
        rng = np.random.default_rng(seed)  # the same program, with new arrays each time
        a, b = em.asarray(an), em.asarray(bn)
        (root, held) = _random_program(rng, [(a, an), (b, bn)])
        em.eval(root[0])
        np.testing.assert_allclose(root[0].numpy(), root[1], rtol=1e-14)
        for h in held:
            np.testing.assert_allclose(h[0].numpy(), h[1], rtol=1e-14)


def test_the_environment_switch_turns_it_off():
    code = ("import numpy as np, ember as em\n"
            "a = em.asarray(np.arange(5.0))\n"
            "for _ in range(4): (a * 2.0).numpy()\n"
            "i = em.plan_cache_info(); print(i['enabled'], i['hits'])\n")
    out = subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ, "EMBER_PLAN_CACHE": "0"},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "0"]
