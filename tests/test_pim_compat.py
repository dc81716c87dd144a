"""ember.pim.compat against PyPIM's own test scenarios (unit.py, reduction.py, sort.py), with exact
comparisons and the cases PyPIM got wrong (overflowing comparisons, negative modulo, IEEE floats)."""
import numpy as np
import pytest

pim = pytest.importorskip("ember.pim.compat")
N = 4096  # PyPIM uses 2^16; smaller keeps CI fast (costs are per element, results are exact)


def rand(dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype == pim.int32:
        return rng.integers(-2 ** 31, 2 ** 31, size=N, dtype=np.int64).astype(np.int32)  # full range
    return rng.standard_normal(N).astype(np.float32)


def trunc_div(x, y):
    return np.where(y == 0, 0, np.trunc(x.astype(np.float64) / np.where(y == 0, 1, y))).astype(np.int32)


@pytest.mark.parametrize("dtype", [pim.int32, pim.float32])
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_arithmetic(dtype, op):
    x, y = rand(dtype, 1), rand(dtype, 2)
    a, b = pim.from_numpy(x), pim.from_numpy(y)
    with pim.Profiler():
        z = pim.to_numpy(eval(f"a {op} b"))
    with np.errstate(all="ignore"):
        expect = trunc_div(x, y) if (op == "/" and dtype == pim.int32) else eval(f"x {op} y")
    np.testing.assert_array_equal(z, expect)


@pytest.mark.parametrize("dtype", [pim.int32, pim.float32])
@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons(dtype, op):
    x, y = rand(dtype, 3), rand(dtype, 4)
    y[:10] = x[:10]  # some equal pairs
    z = pim.to_numpy(eval(f"pim.from_numpy(x) {op} pim.from_numpy(y)"))
    np.testing.assert_array_equal(z, eval(f"x {op} y"))


def test_pypim_bugs_fixed():
    big = pim.from_numpy(np.array([2 ** 31 - 1, -2 ** 31], dtype=np.int32))
    small = pim.from_numpy(np.array([-1, 1], dtype=np.int32))
    np.testing.assert_array_equal(pim.to_numpy(big < small), [False, True])  # PyPIM: [True, False]
    m = pim.from_numpy(np.array([-7, 7], dtype=np.int32)) % pim.from_numpy(np.array([3, -3], dtype=np.int32))
    np.testing.assert_array_equal(pim.to_numpy(m), [2, -2])  # PyPIM: unsigned remainder
    v = np.array([-0.0, 1e-45, 3e38], dtype=np.float32)  # -0, the smallest subnormal, overflow
    f = pim.from_numpy(v)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(pim.to_numpy(f + f), v + v)
    assert np.signbit(pim.to_numpy(f + f)[0])


@pytest.mark.parametrize("dtype", [pim.int32, pim.float32])
@pytest.mark.parametrize("n", [5, 1000, 4096])
def test_reductions(dtype, n):
    x = rand(dtype, 5)[:n]
    t = pim.from_numpy(x)
    if dtype == pim.int32:
        assert t.sum() == int(x.sum(dtype=np.int32))  # wraps like PyPIM's int32 accumulation
        assert t.prod() == int(x.prod(dtype=np.int32))
    else:
        np.testing.assert_allclose(t.sum(), x.sum(dtype=np.float64), atol=1e-3)
        np.testing.assert_allclose(t.prod(), np.prod(x), rtol=1e-4)


@pytest.mark.parametrize("n", [4, 64, 1024])
def test_sort(n):
    x = np.random.default_rng(n).integers(-2 ** 30, 2 ** 30, size=n).astype(np.int32)
    np.testing.assert_array_equal(pim.to_numpy(pim.from_numpy(x).sort()), np.sort(x))
    np.testing.assert_array_equal(pim.to_numpy(pim.from_numpy(x).sort(4)), np.sort(x.reshape(-1, 4), axis=1).ravel())


def test_cordic_sin_cos():
    x = np.random.default_rng(7).uniform(-np.pi / 2, np.pi / 2, N).astype(np.float32)
    t = pim.from_numpy(x)
    np.testing.assert_allclose(pim.to_numpy(pim.sin(t)), np.sin(x), atol=1e-5)
    np.testing.assert_allclose(pim.to_numpy(pim.cos(t)), np.cos(x), atol=1e-5)


def test_tensor_api():
    t = pim.zeros(8, dtype=pim.float32)
    assert t.shape == (8,) and t.nelem == 8 and t.dtype == pim.float32
    t[2] = 5.0
    t[4:8] = 1.5
    assert t[2] == 5.0 and list(pim.to_numpy(t[4:8])) == [1.5] * 4
    o = pim.ones(8, dtype=pim.int32)
    assert pim.to_numpy(o + 1).tolist() == [2] * 8
    c = pim.from_numpy(np.array([True, False] * 4))
    assert pim.to_numpy(c.mux(o, o * 3)).tolist() == [1, 3] * 4
    assert pim.to_numpy((o - 2).sign()).tolist() == [True] * 8
    assert pim.to_numpy(pim.zeros(3, dtype=pim.float32).zero()).tolist() == [True] * 3
    assert pim.to_numpy(pim.arange(5)).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="type mismatch"):
        o + t
    with pytest.raises(RuntimeError, match="Index out of range"):
        t[8]
    m = pim.getMetrics()
    assert set(m) >= {"mask", "rw", "logic", "move", "total"} and m["total"].latency >= 0
