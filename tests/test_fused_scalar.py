"""Fused instructions with a scalar operand (backend/cpu/fused_scalar.*): x op c and c op x for
add, subtract, multiply, divide in float32/float64 must give NumPy's bits exactly, on either side,
for special values, every tail length, views, 0-d arrays and sizes large enough to stream."""
import numpy as np
import pytest

import ember as em

OPS = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide}
SPECIAL = [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, 1e-310, -1e-310, 1e308, -1e308, 3.0]


def bits_equal(got, exp):
    got, exp = np.asarray(got), np.asarray(exp)
    assert got.dtype == exp.dtype and got.shape == exp.shape
    # NaNs compare by being NaN (their payload is the hardware's); everything else bit for bit
    nan = np.isnan(exp)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(got[~nan].view(f"u{got.itemsize}"), exp[~nan].view(f"u{exp.itemsize}"))


def values(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4, 4, n)
    x[: min(n, len(SPECIAL))] = SPECIAL[: min(n, len(SPECIAL))]
    with np.errstate(over="ignore"):
        return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("c", [2.5, -0.0, 0.0, np.inf, np.nan, -3e-320])
def test_scalar_right_and_left_match_numpy(dtype, op, c):
    xn = values(37, dtype)
    x = em.asarray(xn)
    f = OPS[op]
    c = np.dtype(dtype).type(c)
    with np.errstate(all="ignore"):
        bits_equal(getattr(em, op)(x, c), f(xn, c))
        bits_equal(getattr(em, op)(c, x), f(c, xn))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", list(range(0, 20)) + [63, 64, 65, 1000, 2047, 2048, 2049, 5001])
def test_every_tail_length(dtype, n):
    xn = values(n, dtype, seed=n)
    x = em.asarray(xn)
    t = np.dtype(dtype).type
    with np.errstate(all="ignore"):
        exp = (t(3.0) - (xn * t(1.0001) + t(0.001)) / t(7.0)) / t(-0.3)
    bits_equal((3.0 - (x * 1.0001 + 0.001) / 7.0) / -0.3, exp.astype(dtype))
    assert em.kernels((3.0 - (x * 1.0001 + 0.001) / 7.0) / -0.3)[0] == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zero_d_arrays_and_broadcast_operands_are_scalars(dtype):
    xn = values(300, dtype).reshape(3, 100)
    cn = np.array(1.75, dtype=dtype)
    rn = np.array([[2.0]], dtype=dtype)
    x, c, r = em.asarray(xn), em.asarray(cn), em.asarray(rn)
    with np.errstate(all="ignore"):
        bits_equal(x * c - r, xn * cn - rn)
        bits_equal(c / x + r / x, cn / xn + rn / xn)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_views_with_scalars(dtype):
    big = values(4001, dtype)
    v = em.asarray(big)
    with np.errstate(all="ignore"):
        bits_equal(v[::2] * 2.0 + 1.0, (big[::2] * 2.0 + 1.0).astype(dtype))
        bits_equal(2.0 / v[::-3] - 1.0, (2.0 / big[::-3] - 1.0).astype(dtype))


def test_a_long_scalar_chain_is_exact():
    sn = np.random.default_rng(1).uniform(0.1, 1.0, 1000)
    s = em.asarray(sn)
    x, xn = s, sn
    for _ in range(100):
        x = x * 1.0001 + 0.001
        xn = xn * 1.0001 + 0.001
    bits_equal(x, xn)


@pytest.mark.parametrize("threads", [1, 2])
def test_streamed_outputs_with_scalars(threads):
    # over 16 MiB of output: the instructions write with non-temporal stores
    n = 2_500_001
    an = values(n, "float64", seed=3)
    a = em.asarray(an)
    old = em.get_num_threads()
    em.set_num_threads(threads)
    try:
        with np.errstate(all="ignore"):
            bits_equal(2.0 * a - 3.0, 2.0 * an - 3.0)
            bits_equal(1.0 / (a + 0.5), 1.0 / (an + 0.5))
    finally:
        em.set_num_threads(old)


# ---- chains: runs of scalar instructions computed in vector registers ----

def chain(x, ops):
    for name, c, left in ops:
        x = getattr(np if isinstance(x, np.ndarray) else em, name)(*((c, x) if left else (x, c)))
    return x


def random_ops(k, dtype, seed):
    rng = np.random.default_rng(seed)
    t = np.dtype(dtype).type
    names = list(OPS)
    return [(names[rng.integers(4)], t(rng.choice([1.0001, -0.5, 3.0, 1e-3, 0.0, -0.0, 7.5])), bool(rng.integers(2)))
            for _ in range(k)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [2, 3, 63, 64, 65, 150])
@pytest.mark.parametrize("n", [1, 5, 31, 32, 33, 1000, 4097])
def test_chains_of_every_length_match_numpy(dtype, k, n):
    xn = values(n, dtype, seed=k + n)
    ops = random_ops(k, dtype, seed=k * n)
    with np.errstate(all="ignore"):
        bits_equal(chain(em.asarray(xn), ops), chain(xn, ops))


def test_a_held_or_shared_intermediate_breaks_the_chain():
    xn = values(1000, "float64")
    x = em.asarray(xn)
    t = x * 3.0  # held by the user: stored, so the chain stops there
    y = (t + 1.0) / 2.0
    u = x - 1.0  # read twice: not a chain link
    z = (u * 2.0) + u
    with np.errstate(all="ignore"):
        tn = xn * 3.0
        un = xn - 1.0
        em.eval(y, z)
        bits_equal(y, (tn + 1.0) / 2.0)
        bits_equal(t, tn)
        bits_equal(z, (un * 2.0) + un)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_chains_in_reductions_views_and_in_place(dtype):
    bn = values(9001, dtype, seed=4)
    b = em.asarray(bn)
    t = np.dtype(dtype).type
    with np.errstate(all="ignore"):
        exp = ((bn[::2] * t(2.0) + t(1.0)) / t(3.0)) - t(0.25)
        bits_equal(((b[::2] * 2.0 + 1.0) / 3.0) - 0.25, exp)
        bits_equal(((b[::-1] - 1.0) * 0.5 + 2.0), ((bn[::-1] - t(1.0)) * t(0.5) + t(2.0)))
        fin = np.isfinite(bn)
        np.testing.assert_allclose(float(em.sum(((em.asarray(bn[fin]) * 2.0) + 1.0) * 0.5)),
                                   np.sum(((bn[fin] * t(2.0)) + t(1.0)) * t(0.5)), rtol=1e-5)
    # a dying input's buffer is written over by the chain's result
    c = em.asarray(bn.copy()) * 1.0
    d = ((c + 1.0) * 2.0) - 3.0
    with np.errstate(all="ignore"):
        bits_equal(d, ((bn * t(1.0) + t(1.0)) * t(2.0)) - t(3.0))
