"""View pushdown (graph/passes/view_pushdown.cpp): a view of an unevaluated elementwise result
becomes the op over views of its inputs, so `(a + b)[::2] * c` is one Kernel computing only the
elements read. Tested by structure (em.kernels), by values against NumPy over dtypes and layouts,
and against the same programs run with EMBER_GRAPH_PASSES=0."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, assert_matches, check_op, sample


def count(*arrays):
    return em.kernels(*arrays)[0]


def space_of(op, *arrays):
    """The iteration space of each kernel computing `op` (fused instruction or single kernel)."""
    out, space = [], None
    for line in em.kernels(*arrays)[1].splitlines():
        if line.startswith("kernel "):
            head = line.split(": ", 1)[1]
            space = head[len("fused "):] if head.startswith("fused") else head.split(" ", 2)[2]
            if head.startswith(op + " "):
                out.append(space)
        elif f"= {op} " in line:
            out.append(space)
    return out


def arrays(*shapes, dtype="float64"):
    return [em.asarray(sample(s, dtype, seed=i)) for i, s in enumerate(shapes)]


# ---- structure: the brief's examples become one Kernel ----

def test_slice_of_a_sum_is_one_kernel_over_the_slice():
    a, b, c = arrays((1000,), (1000,), (500,))
    r = (a + b)[::2] * c
    assert count(r) == 1
    assert space_of("add", r) == ["(500,)"]
    na, nb, nc = (sample(s, "float64", i) for i, s in enumerate([(1000,), (1000,), (500,)]))
    assert_matches(r, (na + nb)[::2] * nc)


@pytest.mark.parametrize("name,build,reference", [
    ("transpose", lambda a, b, m, d: (m * m).T + d, lambda a, b, m, d: (m * m).T + d),
    ("inner slice, reduced", lambda a, b, m, d: em.sum((a * b)[1:-1]), lambda a, b, m, d: np.sum((a * b)[1:-1])),
    ("reshape", lambda a, b, m, d: (a + 1).reshape(40, 25) * 2, lambda a, b, m, d: (a + 1).reshape(40, 25) * 2),
    ("negative step", lambda a, b, m, d: (a * b)[::-3] - 1, lambda a, b, m, d: (a * b)[::-3] - 1),
    ("2-d window", lambda a, b, m, d: (m - 1)[1:, ::-2] * 3, lambda a, b, m, d: (m - 1)[1:, ::-2] * 3),
    ("chain", lambda a, b, m, d: em.exp((a * b + 1) * 0.01)[5:900:7] + 1,
     lambda a, b, m, d: np.exp((a * b + 1) * 0.01)[5:900:7] + 1),
    ("view of a view", lambda a, b, m, d: ((a + b)[::2] + 1)[10:-10] * 2,
     lambda a, b, m, d: ((a + b)[::2] + 1)[10:-10] * 2),
    ("0-d", lambda a, b, m, d: (a + b)[3] * 2, lambda a, b, m, d: (a + b)[3] * 2),
    ("empty", lambda a, b, m, d: (a + b)[7:7] * 2, lambda a, b, m, d: (a + b)[7:7] * 2),
])
def test_views_of_elementwise_results_become_one_kernel(name, build, reference):
    shapes = [(1000,), (1000,), (30, 40), (40, 30)]
    np_in = [sample(s, "float64", i) for i, s in enumerate(shapes)]
    r = build(*[em.asarray(x) for x in np_in])
    assert count(r) == 1, em.kernels(r)[1]
    assert_matches(r, reference(*np_in))


def test_expand_dims_then_broadcast_matches_numpy():
    # The view is pushed (x - y is computed as a (6, 1) column); the broadcast multiply is a
    # Kernel of its own, as fusion keeps one iteration space per Kernel.
    nx, ny, nz = sample((6,), "float64", 0), sample((6,), "float64", 1), sample((6, 5), "float64", 2)
    r = (em.asarray(nx) - em.asarray(ny))[:, None] * em.asarray(nz)
    assert space_of("subtract", r) == ["(6, 1)"]
    assert_matches(r, (nx - ny)[:, None] * nz)


def test_broadcast_input_of_the_producer_stays_a_strided_read():
    nm, nrow = sample((8, 10), "float64", 0), sample((10,), "float64", 1)
    m, row = em.asarray(nm), em.asarray(nrow)
    r = (m + row)[::2, 1:] * 3
    assert count(r) == 1 and space_of("add", r) == ["(4, 9)"]
    assert_matches(r, (nm + nrow)[::2, 1:] * 3)
    r = (m + row).reshape(-1) * 2  # a merging reshape of a broadcast: no strided window: not pushed
    assert count(r) == 2
    assert_matches(r, (nm + nrow).reshape(-1) * 2)


# ---- the rules ----

def test_a_producer_someone_else_needs_is_computed_once_in_full():
    na = sample((1000,), "float64", 0)
    a = em.asarray(na)
    p = em.exp(a * 0.001)  # held by the user
    r = p[::2] * 2
    assert count(r) == 2 and space_of("exp", r) == ["(1000,)"]
    assert_matches(r, np.exp(na * 0.001)[::2] * 2)
    assert_matches(p, np.exp(na * 0.001))
    e = em.exp(a * 0.001)
    r = e[::2] + e[1::2]  # two views: exp once, in full
    del e
    assert space_of("exp", r) == ["(1000,)"]
    assert_matches(r, np.exp(na * 0.001)[::2] + np.exp(na * 0.001)[1::2])


def test_common_subexpressions_inside_the_region():
    na = np.linspace(0, 1, 101)
    a = em.asarray(na)
    r = (em.exp(a[1:]) + em.exp(a[1:]))[::2] * 2
    assert count(r) == 1 and space_of("exp", r) == ["(50,)"]
    assert_matches(r, (np.exp(na[1:]) + np.exp(na[1:]))[::2] * 2)


def test_a_broadcasting_view_never_recomputes_the_producer():
    na, nm = sample((100,), "float64", 0), sample((4, 100), "float64", 1)
    r = em.broadcast_to(em.exp(em.asarray(na)), (4, 100)) + em.asarray(nm)
    assert space_of("exp", r) == ["(100,)"]
    assert_matches(r, np.broadcast_to(np.exp(na), (4, 100)) + nm)


def test_random_draws_reductions_and_matmul_are_never_pushed_through():
    g1, g2 = em.random.default_rng(5), em.random.default_rng(5)
    x = g1.random(100).numpy()
    r = (g2.random(100) + 1)[::2] * 2
    assert space_of("random", r) == ["(100,)"] and space_of("add", r) == ["(50,)"]  # the whole draw, read strided
    assert_matches(r, (x + 1)[::2] * 2)
    nm = sample((8, 8), "float64", 0)
    m = em.asarray(nm)
    r = (em.sum(m, axis=1) + 1)[::2] * 2
    assert space_of("add", r) == ["(4,)"]  # the reduction in full, read through a view
    assert_matches(r, (nm.sum(axis=1) + 1)[::2] * 2)
    r = ((m @ m) + 1)[::3] * 2
    assert_matches(r, ((nm @ nm) + 1)[::3] * 2)


def test_writes_are_seen_in_order():
    na, nb = sample((100,), "float64", 0), sample((100,), "float64", 1)
    a, b = em.asarray(na) + 0, em.asarray(nb)
    r = (a + b)[::2] * 2
    a[:] = -7.0  # after r was built: r reads the old a
    s = em.zeros(100)
    s[10:20] = 1.0
    q = (s * 3)[::5] + 1  # a producer reading a write
    assert_matches(r, (na + nb)[::2] * 2)
    np.testing.assert_array_equal(a.numpy(), np.full(100, -7.0))
    ns = np.zeros(100)
    ns[10:20] = 1.0
    assert_matches(q, (ns * 3)[::5] + 1)


def test_errors_in_elements_not_read_are_still_raised():
    na, nb = np.arange(1, 9), np.array([2, 1, 2, -1, 2, 1, 2, 1])  # the negative power is at index 3
    with pytest.raises(ValueError):
        (na ** nb)[::2] + 1
    r = (em.asarray(na) ** em.asarray(nb))[::2] + 1
    with pytest.raises(ValueError):
        r.numpy()


# ---- values against NumPy over dtypes and input layouts ----

PROGRAMS = [
    lambda x, y: (x + y)[..., ::2] * y[..., ::2],
    lambda x, y: (x * y)[..., ::-1] + x,
    lambda x, y: em.maximum(x, y)[1:] if isinstance(x, em.Array) else np.maximum(x, y)[1:],
    lambda x, y: (x + y).reshape(-1)[::3],
    lambda x, y: ((x * y)[..., 1:] + x[..., :-1])[..., ::2],
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 4), (0, 5), (1, 9)])
def test_programs_match_numpy(dtype, shape):
    nx, ny = sample(shape, dtype, 5), sample(shape, dtype, 6)
    for p in PROGRAMS:
        check_op(p, p, nx, ny)


def _random_index(rng, shape):
    key = []
    for n in shape:
        kind = rng.integers(0, 5)
        if kind == 0 and n > 0:
            key.append(int(rng.integers(-n, n)))
        elif kind == 1:
            key.append(None)
            key.append(slice(None))
        else:
            step = int(rng.choice([-3, -2, -1, 1, 2, 3]))
            lo, hi = sorted(int(v) for v in rng.integers(-n - 1, n + 2, 2))
            key.append(slice(lo, hi, step) if rng.integers(0, 2) else slice(None, None, step))
    return tuple(key)


def test_random_views_of_random_programs_match_numpy():
    rng = np.random.default_rng(11)
    unary = [(lambda t: -t, lambda t: -t), (abs, abs), (lambda t: t * t, lambda t: t * t)]
    binary = [(lambda p, q: p + q, lambda p, q: p + q), (em.maximum, np.maximum), (lambda p, q: p * q, lambda p, q: p * q)]
    folded = 0
    for case in range(150):
        shape = tuple(int(v) for v in rng.integers(1, 6, rng.integers(1, 4)))
        other = tuple(1 if rng.integers(0, 3) == 0 else n for n in shape)[int(rng.integers(0, len(shape))):]
        dtype = str(rng.choice(["float64", "int32", "float32"]))
        nx, ny = sample(shape, dtype, case), sample(other, dtype, case + 1000)
        (eb, nb), (eu, nu) = binary[case % 3], unary[case % 3]
        key = _random_index(rng, shape)
        tail = int(rng.integers(0, 3))

        def program(x, y, b, u, mod):
            v = u(b(x, y))[key]
            if tail == 1:
                v = v.T
            elif tail == 2:
                v = v.reshape(-1)
            return v * 2 + 1

        r = program(em.asarray(nx), em.asarray(ny), eb, eu, em)
        folded += em.kernels(r)[0] == 1
        try:
            assert_matches(r, program(nx, ny, nb, nu, np))
        except AssertionError as e:
            raise AssertionError(f"case {case}: {dtype} {shape} {other} {key} tail {tail}: {e}") from None
    assert folded > 50  # most of them became one Kernel


def test_jit_and_async_paths():
    @em.jit
    def f(x, y):
        return (x + y)[::2] * 2 + em.sum((x * y)[1:-1])

    for seed in range(3):
        nx, ny = sample((64,), "float64", seed), sample((64,), "float64", seed + 10)
        assert_matches(f(em.asarray(nx), em.asarray(ny)), (nx + ny)[::2] * 2 + np.sum((nx * ny)[1:-1]))
    @em.jit
    def g(m):  # a view of values the program computes: a new view of the reduction, rerun each call
        return (em.sum(m, axis=1) * 2 + 1)[::2] * 3

    for seed in range(3):
        nm = sample((10, 7), "float64", seed)
        assert_matches(g(em.asarray(nm)), (nm.sum(axis=1) * 2 + 1)[::2] * 3)
    big = [sample((1 << 19,), "float32", i) for i in range(3)]
    a, b, c = (em.asarray(x) for x in big)
    r = (a * b + 1)[::2] * c[1::2]
    em.eval_async(r)
    assert_matches(r, (big[0] * big[1] + 1)[::2] * big[2][1::2])


# ---- the same programs with the passes off (another process: the switch is read once) ----

SCRIPT = r"""
import sys, numpy as np, ember as em
rng = np.random.default_rng(3)
na, nb, nm = rng.standard_normal(1000), rng.standard_normal(1000), rng.standard_normal((30, 40))
a, b, m = em.asarray(na), em.asarray(nb), em.asarray(nm)
progs = [lambda: (a + b)[::2] * a[1::2], lambda: em.sum((a * b)[1:-1]), lambda: (m * m).T + 1,
         lambda: em.sin(a * b)[::-3] + 1, lambda: ((m - 1)[::2, 1:] * 3).reshape(-1)]
counts = [em.kernels(p())[0] for p in progs]
np.savez(sys.argv[1], counts=np.array(counts), *[p().numpy() for p in progs])
"""


def test_equal_to_the_passes_off_bit_for_bit(tmp_path):
    out = {}
    for passes in ("1", "0"):
        path = tmp_path / f"r{passes}.npz"
        env = dict(os.environ, EMBER_GRAPH_PASSES=passes)
        subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env)
        out[passes] = np.load(path)
    np.testing.assert_array_equal(out["1"]["counts"], [1, 1, 1, 1, 1])
    assert all(out["0"]["counts"] == 2)
    for i in range(5):
        np.testing.assert_array_equal(out["1"][f"arr_{i}"], out["0"][f"arr_{i}"])
