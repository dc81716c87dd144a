"""The collectives as lazy graph nodes, against NumPy on the data of every rank."""
import numpy as np
import pytest

import ember as em
import ember.distributed as dist
from helpers import ALL_DTYPES, NUMERIC_DTYPES, REAL_DTYPES, assert_matches, layouts, sample

R, N = dist.rank(), dist.size()
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


def per_rank(shape, dtype, r, seed=0):
    return sample(shape, dtype, seed=seed + 17 * r)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_all_sum(dtype, shape):
    parts = [per_rank(shape, dtype, r) for r in range(N)]
    if dtype == "bool":
        expect = np.logical_or.reduce(parts) if parts else None
    else:
        expect = np.sum(np.stack(parts).astype(np.float64 if dtype in ("float16", "bfloat16") else dtype), axis=0)
        expect = expect.astype(dtype)
    got = dist.all_sum(em.asarray(parts[R]))
    assert got.dtype == np.dtype(dtype)
    assert_matches(got, expect, rtol=1e-2 if dtype == "float16" else None)


def test_bfloat16_all_sum():
    x = em.asarray(np.arange(6, dtype=np.float32)).astype(em.bfloat16)
    got = dist.all_sum(x)
    assert got.dtype == em.bfloat16
    assert_matches(got.astype(em.float32), np.arange(6, dtype=np.float32) * N)


@pytest.mark.parametrize("op", ["max", "min", "prod"])
@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_all_reduce_ops(op, dtype):
    parts = [per_rank((3, 4), dtype, r, seed=3) for r in range(N)]
    if dtype == "bool":
        ufunc = {"max": np.logical_or, "min": np.logical_and, "prod": np.logical_and}[op]
    else:
        ufunc = {"max": np.maximum, "min": np.minimum, "prod": np.multiply}[op]
    expect = ufunc.reduce(np.stack(parts), axis=0).astype(dtype)
    got = dist.all_reduce(em.asarray(parts[R]), op)
    assert_matches(got, expect, rtol=1e-2 if dtype == "float16" else None)


def test_complex_max_is_a_type_error():
    with pytest.raises(TypeError, match="complex"):
        dist.all_max(em.ones(3, dtype=em.complex64))


def test_awkward_layouts():
    """Strided, negatively strided and transposed inputs are reduced by value."""
    views = [layouts(per_rank((4, 6), "float64", r)) for r in range(N)]
    for i, (name, _, x) in enumerate(views[R]):
        expect = sum(v[i][1] for v in views)
        assert_matches(dist.all_sum(x), expect)


def test_collectives_are_lazy_graph_nodes():
    x = em.arange(4.0) * (R + 1)
    y = dist.all_sum(x) * 2
    assert not y._h.is_evaluated()  # nothing communicated yet
    assert_matches(y, np.arange(4.0) * 2 * sum(r + 1 for r in range(N)))


@pytest.mark.parametrize("dtype", ["int8", "float32", "complex128", "bool"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_all_gather(dtype, axis):
    parts = [per_rank((2, 3), dtype, r) for r in range(N)]
    got = dist.all_gather(em.asarray(parts[R]), axis=axis)
    assert_matches(got, np.concatenate(parts, axis=axis))


def test_all_gather_uneven_counts():
    counts = [r % 3 for r in range(N)]  # includes empty blocks
    parts = [np.full((c, 2), r, dtype=np.int32) for r, c in enumerate(counts)]
    got = dist.all_gather(em.asarray(parts[R]), counts=counts)
    assert_matches(got, np.concatenate(parts))


def test_all_to_all():
    x = np.arange(N * 2 * 3).reshape(N * 2, 3) + 100 * R
    got = dist.all_to_all(em.asarray(x))
    expect = np.concatenate([(np.arange(N * 2 * 3).reshape(N * 2, 3) + 100 * r)[2 * R:2 * R + 2] for r in range(N)])
    assert_matches(got, expect)


def test_all_to_all_needs_even_split():
    if N == 1:
        pytest.skip("every length splits over one rank")
    with pytest.raises(ValueError, match="split evenly"):
        dist.all_to_all(em.ones(N + 1))


@pytest.mark.parametrize("dtype", ["float64", "uint16", "complex64"])
def test_broadcast(dtype):
    for root in range(N):
        got = dist.broadcast(em.asarray(per_rank((3, 2), dtype, R)), root=root)
        assert_matches(got, per_rank((3, 2), dtype, root))


def test_broadcast_bad_root():
    with pytest.raises(ValueError, match="out of range"):
        dist.broadcast(em.ones(2), root=N)


def test_send_recv_ring():
    """Even ranks send first, odd ranks receive first, so the blocking ring cannot deadlock."""
    if N == 1:
        pytest.skip("needs two ranks")
    right, left = (R + 1) % N, (R - 1) % N
    mine = em.arange(5.0) + R
    if R % 2 == 0:
        em.eval(dist.send(mine, right, tag=7))
        got = dist.recv((5,), "float64", left, tag=7).numpy()
    else:
        got = dist.recv((5,), "float64", left, tag=7).numpy()
        em.eval(dist.send(mine, right, tag=7))
    np.testing.assert_array_equal(got, np.arange(5.0) + left)


def test_send_to_self_is_an_error():
    with pytest.raises(ValueError):
        dist.send(em.ones(2), R)


def test_shape_mismatch_raises_on_every_rank():
    """Rank-dependent shapes: a clear ValueError on every rank, and the ranks stay in step."""
    if N == 1:
        pytest.skip("needs two ranks")
    with pytest.raises(ValueError, match=r"shapes and dtypes must match across ranks.*rank 0: \(2,\)"):
        dist.all_sum(em.ones(2 + R)).numpy()
    with pytest.raises(ValueError, match="float32"):
        dist.all_sum(em.ones(2, dtype=em.float32 if R == 0 else em.float64)).numpy()
    with pytest.raises(ValueError, match="axis 0 must have the lengths"):
        dist.all_gather(em.ones((1 + R, 2)), counts=[1] * N).numpy() if R == 0 else \
            dist.all_gather(em.ones((1, 3)), counts=[1] * N).numpy()
    assert_matches(dist.all_sum(em.ones(3)), np.full(3, float(N)))  # still in step


def test_recv_shape_mismatch_raises_on_both_ranks():
    if N == 1:
        pytest.skip("needs two ranks")
    if R == 0:
        with pytest.raises(ValueError, match="expected a different shape"):
            em.eval(dist.send(em.ones(3), 1, tag=9))
    elif R == 1:
        with pytest.raises(ValueError, match=r"expected \(4,\) float64 from rank 0, which sent \(3,\) float64"):
            dist.recv((4,), "float64", 0, tag=9).numpy()
    dist.barrier()


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_world_of_one_semantics_match(dtype):
    """all_sum of the same value on every rank is N times it (also N == 1: the identity)."""
    x = sample((4,), dtype, seed=5)
    got = dist.all_sum(em.asarray(x))
    assert_matches(got, (x.astype(np.complex128 if x.dtype.kind == "c" else np.float64) * N).astype(dtype),
                   rtol=1e-2 if dtype == "float16" else None)


def test_trace_records_collectives(tmp_path):
    import json
    import os
    # every rank must take part and use the same path: rank 0's tmp_path
    path = dist.broadcast(em.asarray(np.frombuffer(str(tmp_path).ljust(256).encode(), dtype=np.uint8)), 0)
    path = bytes(path.numpy()).decode().strip()
    dist.trace_start()
    dist.all_sum(em.ones(1000)).numpy()
    dist.all_gather(em.ones(10)).numpy()
    events = dist.trace_stop(os.path.join(path, "trace.json"))
    tracks = {e["pid"] for e in events if e["ph"] == "X"}
    if dist.HAVE_MPI and N > 1:
        assert tracks == set(range(N))
        assert {"all_sum", "all_gather"} <= {e["name"] for e in events if e["ph"] == "X"}
    if R == 0:
        with open(os.path.join(path, "trace.json")) as f:
            assert "traceEvents" in json.load(f)


def test_trace_merges_every_ranks_kernels():
    # Each rank's Kernels come from the core's trace, on the same clock as its collectives.
    dist.trace_start()
    x = em.asarray(np.arange(5000.0) + R)
    float(dist.all_sum((x * 2.0 + 1.0).sum()))
    events = dist.trace_stop()
    spans = [e for e in events if e["ph"] == "X"]
    for r in range(N):
        kernels = [e for e in spans if e["pid"] == r and e["tid"] >= 1]
        assert any("multiply" in e["name"] for e in kernels), (r, [e["name"] for e in kernels])
        named = {e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name" and e["pid"] == r}
        assert {e["tid"] for e in kernels} <= named
    assert min(e["ts"] for e in spans) >= 0
    if dist.HAVE_MPI and N > 1:
        start = next(e for e in spans if e["pid"] == R and e["name"] == "all_reduce_start")
        done = next(e for e in spans if e["pid"] == R and e["tid"] == 0 and e["name"] == "all_sum")
        assert start["ts"] <= done["ts"] + done["dur"]


def _kernel_lines(x):
    return em.kernels(x)[1].splitlines()


def _position(lines, word):
    return next(i for i, line in enumerate(lines) if word in line)


def test_all_reduce_overlaps_independent_work():
    # Split phase: the all-reduce is posted before the independent work and completed after it.
    a = em.asarray(np.arange(1000.0) + R)
    b = em.arange(1000.0)
    s = dist.all_sum(a.sum())
    t = em.sin(b).sum()
    r = s + t
    lines = _kernel_lines(r)
    assert _position(lines, "all_reduce_start") < _position(lines, "sin") < _position(lines, "all_sum")
    expect = sum(float(np.sum(np.arange(1000.0) + q)) for q in range(N)) + float(np.sin(np.arange(1000.0)).sum())
    assert float(r) == pytest.approx(expect, rel=1e-12)


def test_two_all_reduces_in_flight():
    # k-means' pattern: both sums are posted before either is waited for; values stay right.
    x = em.asarray(np.arange(12.0).reshape(3, 4) * (R + 1))
    counts = dist.all_sum(x.sum(axis=0))
    sums = dist.all_max(x @ x.T)
    out = sums.sum() + counts.sum()
    lines = _kernel_lines(out)
    starts = [i for i, line in enumerate(lines) if "all_reduce_start" in line]
    assert len(starts) == 2 and starts[1] < _position(lines, "all_sum") and starts[1] < _position(lines, "all_max")
    xs = [np.arange(12.0).reshape(3, 4) * (q + 1) for q in range(N)]
    expect = np.max([v @ v.T for v in xs], axis=0).sum() + np.sum([v.sum(axis=0) for v in xs], axis=0).sum()
    assert float(out) == pytest.approx(float(expect), rel=1e-12)


def test_all_reduce_inside_jit():
    @em.jit
    def mean_over_ranks(v):
        return dist.all_sum(v) / N

    v = em.asarray(np.full(5, float(R)))
    for _ in range(2):  # the second call replays the compiled plan, posting and waiting again
        assert_matches(mean_over_ranks(v), np.full(5, sum(range(N)) / N))
