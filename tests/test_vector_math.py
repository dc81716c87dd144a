"""The SIMD paths of the cpu device (the fused engine's instructions: cpu/simd_math.cpp and the vector
math rows of cpu/simd/vector_math.cpp) against NumPy: results within the ulp bounds of docs/cpu_engine.md on large contiguous, strided and broadcast inputs, float32 and
float64, and special values (zeros with their signs, infinities, NaN) exactly as NumPy."""
import numpy as np
import pytest

import ember as em

N = 200_003  # not a multiple of any vector width: exercises the tails

# name -> (argument range, max ulp distance to NumPy for float64, for float32): the measured error
# against a long double reference plus NumPy's own error (both directions), rounded up.
UNARY = {
    "exp": ((-700, 700), 3, 4),
    "expm1": ((-5, 5), 5, 5),
    "log": ((1e-30, 1e30), 2, 5),
    "log1p": ((-0.999, 100), 2, 4),
    "sin": ((-39000, 39000), 4, 4),
    "cos": ((-39000, 39000), 4, 4),
    "tan": ((-1e5, 1e5), 4, 5),
    "tanh": ((-20, 20), 5, 5),
    "arctan": ((-100, 100), 3, 5),
    "sqrt": ((0, 1e10), 0, 0),
    "log2": ((1e-30, 1e30), 3, 3),
    "log10": ((1e-30, 1e30), 3, 4),
    "sinh": ((-20, 20), 4, 4),
    "arcsin": ((-1, 1), 3, 3),
    "arccos": ((-1, 1), 2, 3),
    "arcsinh": ((-100, 100), 3, 3),
    "arccosh": ((1, 100), 4, 3),
    "arctanh": ((-0.99, 0.99), 3, 4),
    # exact instructions of cpu/simd_math.cpp: bit for bit (halves in the range test rounding ties)
    "negative": ((-1e3, 1e3), 0, 0),
    "absolute": ((-1e3, 1e3), 0, 0),
    "fabs": ((-1e3, 1e3), 0, 0),
    "square": ((-1e18, 1e18), 0, 0),
    "floor": ((-1e3, 1e3), 0, 0),
    "ceil": ((-1e3, 1e3), 0, 0),
    "trunc": ((-1e3, 1e3), 0, 0),
    "rint": ((-1e3, 1e3), 0, 0),
}
EXACT = ("negative", "absolute", "fabs", "square", "floor", "ceil", "trunc", "rint")
BINARY = {
    "arctan2": ((-10, 10), (-10, 10), 3, 4),
    "power": ((0, 10), (-30, 30), 1, 2),
    "add": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
    "subtract": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
    "multiply": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
    "divide": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
    "maximum": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
    "minimum": ((-1e3, 1e3), (-1e3, 1e3), 0, 0),
}
SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-45, 2.2250738585072014e-308, 1.0, -1.0,
            0.5, 88.72, -87.4, -103.9, 709.78, 709.8, -745.2, -1000.0, 3e4, -4e4, 1e22, 1e300, -1e300, -0.9999999]


def ulp_distance(got, exp):
    """|got - exp| in units of the spacing at exp; matching infinities and NaNs count 0."""
    got = got.astype(np.float64) if got.dtype == np.float32 else got
    spacing = np.spacing(np.abs(exp)).astype(got.dtype)
    both = (got == exp) | (np.isnan(got) & np.isnan(exp))
    d = np.where(both, 0.0, np.abs(got - exp.astype(got.dtype)) / spacing)
    return float(np.nan_to_num(d, nan=np.inf).max(initial=0.0))


def values(rng, lo, hi, n, dtype):
    if lo > 0 and hi / lo > 1e6:  # log-spread for positive ranges over many binades
        return np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(dtype)
    return rng.uniform(lo, hi, n).astype(dtype)


def layouts_1d(x):
    """(numpy, ember) pairs: contiguous, strided, negatively strided and a column of a matrix."""
    big = np.repeat(x, 2)
    m = np.ascontiguousarray(np.stack([x, x]).T)
    return [(x, em.asarray(x)), (big[::2], em.asarray(big)[::2]), (x[::-1], em.asarray(x)[::-1]),
            (m[:, 0], em.asarray(m)[:, 0])]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_within_bound(name, dtype):
    (lo, hi), b64, b32 = UNARY[name]
    if name == "exp" and dtype == "float32":
        lo, hi = -87, 88
    rng = np.random.default_rng(3)
    x = values(rng, lo, hi, N, dtype)
    if name in EXACT:  # halves and integers too: rounding ties and fixed points
        x[: N // 4] = np.round(x[: N // 4] * 2) / 2
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(x)
    for npx, emx in layouts_1d(x)[:2]:
        got = getattr(em, name)(emx).numpy()
        assert got.dtype == np.dtype(dtype)
        with np.errstate(all="ignore"):
            exp_l = getattr(np, name)(npx)
        assert ulp_distance(got, exp_l) <= (b64 if dtype == "float64" else b32), name
    # Different layouts give each element the same value.
    results = [getattr(em, name)(e).numpy() for _, e in layouts_1d(x)]
    np.testing.assert_array_equal(results[1], results[0])
    np.testing.assert_array_equal(results[2], results[0][::-1])
    np.testing.assert_array_equal(results[3], results[0])
    assert expected.shape == results[0].shape


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_special_values(name, dtype):
    with np.errstate(over="ignore"):
        x = np.array(SPECIALS * 3, dtype=dtype)
    with np.errstate(all="ignore"):
        exp = getattr(np, name)(x)
    got = getattr(em, name)(em.asarray(x)).numpy()
    special = np.isnan(exp) | np.isinf(exp) | (exp == 0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exp))
    ok = special & ~np.isnan(exp)
    np.testing.assert_array_equal(got[ok], exp[ok])
    np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(exp[ok]))  # -0.0 stays -0.0
    if name in EXACT:  # every value bit for bit, the sign of a zero or rounding to zero included
        np.testing.assert_array_equal(got, exp)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(exp))
    assert ulp_distance(got[~special], exp[~special]) <= max(UNARY[name][1:]) + 1


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_within_bound(name, dtype):
    (alo, ahi), (blo, bhi), b64, b32 = BINARY[name]
    bound = b64 if dtype == "float64" else b32
    rng = np.random.default_rng(5)
    a = values(rng, alo, ahi, N, dtype)
    b = values(rng, blo, bhi, N, dtype)
    f, g = getattr(em, name), getattr(np, name)
    with np.errstate(all="ignore"):
        # contiguous, strided, broadcast scalar operand on either side, and an outer broadcast
        assert ulp_distance(f(em.asarray(a), em.asarray(b)).numpy(), g(a, b)) <= bound
        assert ulp_distance(f(em.asarray(a)[::3], em.asarray(b)[::3]).numpy(), g(a[::3], b[::3])) <= bound
        assert ulp_distance(f(em.asarray(a), em.asarray(b[7:8])).numpy(), g(a, b[7:8])) <= bound
        assert ulp_distance(f(em.asarray(a[9:10]), em.asarray(b)).numpy(), g(a[9:10], b)) <= bound
        ra, rb = a[:300], b[:400]
        got = f(em.asarray(ra)[:, None], em.asarray(rb)[None, :]).numpy()
        assert ulp_distance(got, g(ra[:, None], rb[None, :])) <= bound


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_special_values(name, dtype):
    with np.errstate(over="ignore"):
        s = np.array(SPECIALS, dtype=dtype)
    a, b = np.meshgrid(s, s)
    a, b = a.ravel(), b.ravel()
    with np.errstate(all="ignore"):
        exp = getattr(np, name)(a, b)
    got = getattr(em, name)(em.asarray(a), em.asarray(b)).numpy()
    special = np.isnan(exp) | np.isinf(exp) | (exp == 0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exp))
    ok = special & ~np.isnan(exp)
    np.testing.assert_array_equal(got[ok], exp[ok])
    if name not in ("maximum", "minimum"):  # NumPy's own SIMD loops leave max(0., -0.)'s sign unspecified
        np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(exp[ok]))
    assert ulp_distance(got[~special], exp[~special]) <= max(BINARY[name][2:]) + 1
