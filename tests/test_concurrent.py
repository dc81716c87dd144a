"""Independent cpu Kernels of one evaluation run side by side on the threads (issue 3). Whatever
overlaps, results, errors, writes, the profile and the trace are what a serial evaluation gives."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em
from helpers import layouts, sample

HERE = os.path.basename(__file__)
BIG = 1 << 15  # a graph holding a Kernel this large has work enough to run its Kernels side by side


def line():
    """The caller's line number: nodes made on that line carry it as their origin."""
    return sys._getframe(1).f_lineno


@pytest.fixture(autouse=True)
def two_threads():
    threads, on = em.get_num_threads(), em._core.concurrent_kernels()
    em.set_num_threads(2)
    em._core.set_concurrent_kernels(True)
    yield
    em.set_num_threads(threads)
    em._core.set_concurrent_kernels(on)


def force(*arrays):
    """A synchronous evaluation (em.eval of large work returns before it is done)."""
    em._core.eval([a._h for a in arrays])


def check(got, want, dtype):
    if np.dtype(dtype).kind in "fc":  # sums may add in another order than NumPy's
        rtol, atol = (1e-4, 0.05) if np.dtype(dtype) == np.float32 else (1e-10, 1e-8)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, want)


def wide_graph(arrays, dtype):
    """Independent branches over the arrays (reductions, chains, a sort, a scan, a product), in
    ember and in NumPy."""
    a, b, c, d = arrays
    float_ = np.dtype(dtype).kind == "f"

    def build(m, a, b, c, d):
        out = [m.sum(a), m.max(b), m.min(a * 2 + 1), m.sum(c, axis=0), m.sort(b), m.cumsum(c, axis=1), b - a]
        if float_:
            out += [c @ d, m.sum(m.sqrt(m.abs(b)) * a)]
        return out

    return build(em, *(em.asarray(x) for x in arrays)), build(np, a, b, c, d)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32"])
def test_independent_kernels_match_numpy(dtype):
    arrays = [sample((BIG,), dtype, 1), sample((BIG,), dtype, 2), sample((300, 40), dtype, 3),
              sample((40, 20), dtype, 4)]
    ems, nps = wide_graph(arrays, dtype)
    assert em.kernels(*ems)[0] >= len(ems)  # one Kernel per branch at least
    force(*ems)
    for e, n in zip(ems, nps):
        check(e.numpy(), n, dtype)


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_serial_concurrent_and_thread_counts_agree(dtype):
    arrays = [sample((BIG,), dtype, 5), sample((BIG,), dtype, 6), sample((300, 40), dtype, 7),
              sample((40, 20), dtype, 8)]
    results = {}
    for threads, on in [(2, True), (2, False), (1, True)]:
        em.set_num_threads(threads)
        em._core.set_concurrent_kernels(on)
        ems, nps = wide_graph(arrays, dtype)
        force(*ems)
        results[threads, on] = [e.numpy() for e in ems]
    for x, y in zip(results[2, True], results[2, False]):  # same threads: bit for bit
        np.testing.assert_array_equal(x, y)
    for x, y in zip(results[2, True], results[1, True]):  # threads 1 and 2: integers equal, floats close
        check(x, y, dtype)


@pytest.mark.parametrize("dtype", ["float64", "int32", "complex128"])
def test_awkward_layouts_side_by_side(dtype):
    big = sample((BIG,), dtype, 9)
    base = sample((6, 5), dtype, 10)
    for name, n, e in layouts(base):
        ems = [e + 1, e * e, em.sum(e, axis=0), em.asarray(big) * 3, e.T - 2, e[::-1] * 1]
        force(*ems)
        for got, want in zip(ems, [n + 1, n * n, np.sum(n, axis=0), big * 3, n.T - 2, n[::-1] * 1]):
            check(got.numpy(), want, dtype)
    for shape in [(), (0,), (0, 3), (1,)]:
        n = sample(shape, dtype, 11)
        e = em.asarray(n)
        ems = [e + 1, em.sum(e), em.asarray(big) - 1]
        force(*ems)
        for got, want in zip(ems, [n + 1, np.sum(n), big - 1]):
            check(got.numpy(), want, dtype)


def test_writes_and_views_keep_numpy_order():
    for trial in range(10):
        n = np.arange(4 * BIG, dtype=np.float64) + trial
        a = em.asarray(n.copy())
        force(a)
        view = a[::2]
        s_before = em.sum(view)  # reads the old version through a view
        m_before = em.max(a)
        top = a[:8] + 0  # a copy of the old values
        a[:BIG] = 0.0  # a write over what they read
        a[BIG:] *= 2.0
        s_after = em.sum(a[::2])
        force(s_before, m_before, top, s_after, a)
        w = n.copy()
        w[:BIG] = 0.0
        w[BIG:] *= 2.0
        assert float(s_before) == np.sum(n[::2])
        assert float(m_before) == np.max(n)
        np.testing.assert_array_equal(top.numpy(), n[:8])
        assert float(s_after) == np.sum(w[::2])
        np.testing.assert_array_equal(a.numpy(), w)
        np.testing.assert_array_equal(view.numpy(), w[::2])


def test_the_error_is_the_first_in_program_order_and_names_the_line():
    for first in ("gather", "cholesky"):
        big = em.asarray(np.arange(BIG, dtype=np.float64))
        total = em.sum(big * 2.0)
        x = em.arange(10.0)
        idx = em.asarray(np.array([0, 5])) * 10
        picked = x[idx]; gather_line = line()  # noqa: E702
        bad = em.asarray([[1.0, 2.0], [2.0, 1.0]])
        chol = em.linalg.cholesky(bad); chol_line = line()  # noqa: E702
        roots = [total, picked, chol] if first == "gather" else [total, chol, picked]
        for on in (True, False):
            em._core.set_concurrent_kernels(on)
            err = (IndexError, f"{HERE}:{gather_line}") if first == "gather" else \
                (np.linalg.LinAlgError, f"{HERE}:{chol_line}")
            with pytest.raises(err[0]) as info:
                force(*roots)
            assert err[1] in str(info.value) and "[in ember." in str(info.value)
        assert float(total) == np.sum(np.arange(BIG) * 2.0)  # the independent kernel is still right
        with pytest.raises(np.linalg.LinAlgError):  # the failed arrays keep their graph
            chol.numpy()
        with pytest.raises(IndexError):
            picked.numpy()


def test_a_failed_write_rolls_back_and_other_kernels_finish():
    base = np.arange(2 * BIG, dtype=np.float64)
    a = em.asarray(base.copy())
    force(a)
    sums = [em.sum(a * float(k)) for k in range(4)]
    bad = em.linalg.cholesky(em.asarray([[1.0, 2.0], [2.0, 1.0]]))
    a[:2] = bad[0]  # depends on the failure: rolled back
    b = a + 1  # reads the failed write: stays lazy
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        force(*sums, a, b)
    np.testing.assert_array_equal(a.numpy(), base)
    for k, s in enumerate(sums):
        assert float(s) == np.sum(base * float(k))
    with pytest.raises(np.linalg.LinAlgError):
        b.numpy()


def test_async_jobs_run_kernels_side_by_side_and_report_at_the_sync_point():
    n = 1 << 17  # four of them: past the size where em.eval hands work to the dispatcher
    xs = [np.random.default_rng(k).standard_normal(n) for k in range(4)]
    es = [em.asarray(x) for x in xs]
    force(*es)
    target = em.zeros(8)
    force(target)
    sums = [em.sum(e * e) for e in es]
    target[:2] = em.linalg.cholesky(em.asarray([[1.0, 2.0], [2.0, 1.0]]))[0]
    em.eval(*sums, target)
    with pytest.raises(np.linalg.LinAlgError):
        target.numpy()
    np.testing.assert_array_equal(target.numpy(), np.zeros(8))
    sums = [em.sum(e * e) for e in es]
    maxes = [em.max(e + 1.0) for e in es]
    em.eval(*sums, *maxes)
    for s, m, x in zip(sums, maxes, xs):
        np.testing.assert_allclose(float(s), np.sum(x * x), rtol=1e-12)
        assert float(m) == np.max(x + 1.0)


def test_profile_counts_every_kernel():
    xs = [em.asarray(np.random.default_rng(k).standard_normal(BIG)) for k in range(6)]
    force(*xs)
    with em.profile() as p:
        ys = [em.sum(x * 2.0) for x in xs]
        force(*ys)
    rows = {r["op"]: r for r in p.to_list()}
    assert rows["multiply"]["calls"] == 6 and rows["sum"]["calls"] == 6
    assert rows["multiply"]["flops"] == 6 * BIG and rows["sum"]["bytes_written"] == 6 * 8


def sorts_traced(make, path):
    """(results, trace events, the four sorts' events) of forcing make() under em.trace, once the
    sorts ran on two threads at least (retried: a second thread must be free on a busy machine)."""
    for _ in range(10):
        with em.trace(str(path)):
            ys = make()
            force(*ys)
        events = json.loads(path.read_text())["traceEvents"]
        sorts = [e for e in events if e.get("ph") == "X" and e["name"] == "sort"]
        assert len(sorts) == 4
        if len({e["tid"] for e in sorts}) >= 2:
            break
    assert len({e["tid"] for e in sorts}) >= 2
    return ys, events, sorts


def test_trace_puts_overlapping_kernels_on_their_own_tracks(tmp_path):
    xs = [em.asarray(np.random.default_rng(k).standard_normal(200_000)) for k in range(4)]
    force(*xs)
    ys, events, sorts = sorts_traced(lambda: [em.sort(x) for x in xs], tmp_path / "t.json")
    for x in sorts:  # one track per thread: its kernels follow one another
        for y in sorts:
            if x is not y and x["tid"] == y["tid"]:
                assert x["ts"] + x["dur"] <= y["ts"] or y["ts"] + y["dur"] <= x["ts"]
    names = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert "worker" in names and "python" in names
    for y, x in zip(ys, xs):
        np.testing.assert_array_equal(y.numpy(), np.sort(x.numpy()))


def test_env_switch_turns_it_off():
    code = "import ember as em; print(em._core.concurrent_kernels())"
    env = dict(os.environ, EMBER_CONCURRENT_KERNELS="0", PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    env["EMBER_CONCURRENT_KERNELS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_one_thread_runs_kernels_in_program_order(tmp_path):
    code = f"""
import json, numpy as np, ember as em
xs = [em.asarray(np.random.default_rng(k).standard_normal(100_000)) for k in range(3)]
em._core.eval([x._h for x in xs])
with em.trace({str(tmp_path / 't.json')!r}):
    a = em.sort(xs[0])
    b = em.sort(xs[1])
    c = em.sort(xs[2])
    em._core.eval([a._h, b._h, c._h])
events = json.load(open({str(tmp_path / 't.json')!r}))["traceEvents"]
print(json.dumps([(e["tid"], e["ts"], e["args"]["origins"]) for e in events if e.get("name") == "sort"]))
"""
    env = dict(os.environ, EMBER_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    sorts = json.loads(out.stdout)
    assert len({tid for tid, _, _ in sorts}) == 1
    by_time = [origin for _, _, origin in sorted(sorts, key=lambda s: s[1])]
    assert by_time == ["<string>:6", "<string>:7", "<string>:8"]


@pytest.mark.parametrize("seed", range(12))
def test_random_programs_with_writes_and_views_match_numpy(seed):
    """Random straight-line NumPy programs over two large arrays (elementwise ops, reductions, sorts,
    views, slice writes and in-place updates through views), evaluated at once: the Kernels run side
    by side and must give NumPy's values."""
    rng = np.random.default_rng(seed)
    n = 2 * BIG
    nps = {"a": np.arange(n, dtype=np.float64), "b": np.linspace(-1.0, 1.0, n)}
    ems = {k: em.asarray(v.copy()) for k, v in nps.items()}
    force(*ems.values())
    results = []  # (ember value, numpy value at the time it was made)
    for step in range(25):
        src = rng.choice(sorted(nps))
        x, y = nps[src], ems[src]
        lo = int(rng.integers(0, n // 2))
        hi = lo + int(rng.integers(1, n // 2))
        st = int(rng.choice([1, 2, 3]))
        op = rng.integers(0, 7)
        if op == 0:  # a reduction of a view
            results.append((em.sum(y[lo:hi:st]), np.sum(x[lo:hi:st])))
        elif op == 1:  # an elementwise expression kept as a new array
            name = f"t{step}"
            nps[name], ems[name] = x * 0.5 + 1.0, y * 0.5 + 1.0
        elif op == 2:  # a slice write from another array's view
            other = rng.choice(sorted(nps))
            v = nps[other][: hi - lo].copy()
            x[lo:hi] = v
            y[lo:hi] = ems[other][: hi - lo]
        elif op == 3:  # in place through a view
            x[lo:hi:st] *= 2.0
            y[lo:hi:st] *= 2.0
        elif op == 4:  # a sort of a view
            results.append((em.sort(y[lo:hi]), np.sort(x[lo:hi])))
        elif op == 5:  # a copy of a view, read later
            results.append((y[lo:hi:st] + 0.0, x[lo:hi:st] + 0.0))
        else:  # max of an expression over a view
            results.append((em.max(em.abs(y[lo:hi]) - 1.0), np.max(np.abs(x[lo:hi]) - 1.0)))
    force(*[e for e, _ in results], *ems.values())
    for e, want in results:
        np.testing.assert_allclose(e.numpy(), want, rtol=1e-12, atol=1e-9)
    for k in nps:
        np.testing.assert_array_equal(ems[k].numpy(), nps[k])


def test_jitted_program_runs_independent_kernels_side_by_side(tmp_path):
    # A compiled Program (the plan of an @em.jit call) runs its Kernels as an evaluation would.
    xs = [em.asarray(np.random.default_rng(k).standard_normal(200_000)) for k in range(4)]
    force(*xs)
    f = em.jit(lambda a, b, c, d: [em.sort(x) * 2.0 for x in (a, b, c, d)])
    force(*f(*xs))  # traced and compiled outside the trace
    ys, _, _ = sorts_traced(lambda: f(*xs), tmp_path / "t.json")
    for y, x in zip(ys, xs):
        np.testing.assert_array_equal(y.numpy(), np.sort(x.numpy()) * 2.0)


def branches(a, b, c, d, xp=em):
    """Independent branches, as in wide_graph, written once for @em.jit and NumPy."""
    return [xp.sum(a), xp.max(b), xp.min(a * 2 + 1), xp.sum(c, axis=0), xp.sort(b), xp.cumsum(c, axis=1), b - a, c @ d]


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_jitted_program_agrees_side_by_side_and_one_by_one(dtype):
    arrays = [sample((BIG,), dtype, 9), sample((BIG,), dtype, 10), sample((300, 40), dtype, 11),
              sample((40, 20), dtype, 12)]
    got = {}
    for threads, on in ((2, True), (2, False), (1, True)):
        em.set_num_threads(threads)
        em._core.set_concurrent_kernels(on)
        f = em.jit(branches)  # fresh: built under this setting
        outs = f(*(em.asarray(x) for x in arrays))
        got[(threads, on)] = [o.numpy() for o in outs]
    want = branches(*arrays, xp=np)
    for outs in got.values():
        for o, w in zip(outs, want):
            check(o, w, dtype)
    for a, b in zip(got[(2, True)], got[(2, False)]):  # each Kernel computes alike wherever it runs
        assert a.tobytes() == b.tobytes()
