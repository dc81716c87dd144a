"""tan, arctan, arcsin, arccos, arctan2, power, arcsinh, arccosh and arctanh on the pim device (float32 microcode; integer
power by square and multiply) against NumPy: within the measured ulp of the correctly rounded
result (NumPy float64 rounded to float32), specials exact with their signs, over awkward layouts;
fusion with arithmetic; NumPy's errors."""
import numpy as np
import pytest

import ember as em
from helpers import layouts, sample

pim = pytest.importorskip("ember.pim")

# Max ulp measured over these sweeps (docs/pim_device.md; cpp/tests/pim/test_float_atrig.cpp).
ULP = {"tan": 2, "arctan": 2, "arcsin": 2, "arccos": 1, "arctan2": 3, "power": 13, "arcsinh": 2, "arccosh": 2,
       "arctanh": 3}
RANGE = {"tan": (-1e4, 1e4), "arctan": (-60, 60), "arcsin": (-1, 1), "arccos": (-1, 1), "arcsinh": (-100, 100),
         "arccosh": (0.5, 50), "arctanh": (-1, 1)}
SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0,
                     1e-45, -1e-45, 1e30, -1e30], np.float32)


def _ulps(a, b):
    def key(v):
        i = v.view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    d = np.abs(key(a) - key(b))
    both = np.isnan(a) & np.isnan(b)
    d[both] = 0
    d[np.isnan(a) != np.isnan(b)] = 1 << 40
    return d


def _rounded(fn, *xs):
    with np.errstate(all="ignore"):
        return fn(*[x.astype(np.float64) for x in xs]).astype(np.float32)


def _check(name, got, want, tol=None):
    """ulp bound for finite non-zero results; NaN, infinities and zeros exactly, with their sign."""
    got = np.asarray(got)
    assert got.dtype == np.float32 and got.shape == want.shape
    exact = ~np.isfinite(want) | (want == 0)
    np.testing.assert_array_equal(np.isnan(got[exact]), np.isnan(want[exact]), err_msg=name)
    ok = exact & ~np.isnan(want)
    np.testing.assert_array_equal(got[ok].view(np.uint32), want[ok].view(np.uint32), err_msg=name)
    d = _ulps(got[~exact], want[~exact])
    assert d.size == 0 or d.max() <= (ULP[name] if tol is None else tol), (name, d.max())


@pytest.mark.parametrize("name", ["tan", "arctan", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh"])
def test_unary_within_ulp_bounds(name):
    rng = np.random.default_rng(3)
    lo, hi = RANGE[name]
    xs = np.concatenate([np.linspace(lo, hi, 4001), rng.uniform(lo, hi, 2000), SPECIALS,
                         np.ldexp(rng.uniform(-1, 1, 300), -rng.integers(0, 40, 300))]).astype(np.float32)
    if name == "tan":
        xs = xs[~np.isfinite(xs) | (np.abs(xs) <= 1e4)]
    else:
        xs = np.concatenate([xs, rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32).view(np.float32)])
    got = getattr(em, name)(em.asarray(xs, device="pim"))
    assert got.device == "pim"
    _check(name, got.numpy(), _rounded(getattr(np, name), xs))


@pytest.mark.parametrize("name", ["arctan2", "power"])
def test_binary_within_ulp_bounds_and_specials(name):
    rng = np.random.default_rng(4)
    X, Y = np.meshgrid(SPECIALS, SPECIALS)
    if name == "power":
        a = np.concatenate([X.ravel(), np.exp2(rng.uniform(-20, 20, 3000)), -rng.uniform(0, 5, 1000),
                            1 + rng.uniform(-1e-3, 1e-3, 500)]).astype(np.float32)
        b = np.concatenate([Y.ravel(), rng.uniform(-6, 6, 3000), rng.integers(-12, 13, 1000),
                            rng.uniform(-1e4, 1e4, 500)]).astype(np.float32)
    else:
        def bits():  # random float32 bit patterns (every exponent, NaN payloads)
            return rng.integers(0, 2**32, 1000, dtype=np.uint64).astype(np.uint32).view(np.float32)
        a = np.concatenate([X.ravel(), rng.uniform(-10, 10, 4000).astype(np.float32), bits()])
        b = np.concatenate([Y.ravel(), rng.uniform(-10, 10, 4000).astype(np.float32), bits()])
    got = getattr(em, name)(em.asarray(a, device="pim"), em.asarray(b, device="pim"))
    _check(name, got.numpy(), _rounded(getattr(np, name), a, b))


@pytest.mark.parametrize("name", ["tan", "arctan", "arcsin", "arccos", "arctan2", "power", "arcsinh", "arccosh",
                                  "arctanh"])
def test_awkward_layouts_and_broadcasting(name):
    binary = name in ("arctan2", "power")
    for shape in [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)]:
        base = sample(shape, "float32", 7, low=0.1 if name == "power" else -0.9, high=0.9)
        with em.default_device("pim"):
            views = layouts(base)
        for layout, xn, xe in views:
            assert xe.device == "pim"
            if binary:
                yn = sample(shape[-1:], "float32", 8, low=-3, high=3)  # broadcast along the last axis
                got = getattr(em, name)(xe, em.asarray(yn, device="pim"))
                want = _rounded(getattr(np, name), xn, yn)
            else:
                got = getattr(em, name)(xe)
                want = _rounded(getattr(np, name), xn)
            assert got.device == "pim"
            _check(name, got.numpy(), want)
    # a Python scalar operand (an immediate in the stream)
    x = sample((5,), "float32", 9, low=0.5, high=4)
    _check("power", (em.asarray(x, device="pim") ** 2.5).numpy(), _rounded(np.power, x, np.float32(2.5)))
    _check("power", (2.5 ** em.asarray(x, device="pim")).numpy(), _rounded(np.power, np.float32(2.5), x))


def test_new_macros_fuse_with_arithmetic():
    xs = np.linspace(-0.9, 0.9, 64, dtype=np.float32)
    x = em.asarray(xs, device="pim")
    got = em.arcsin(x) * 2 + em.arctan(x)
    count, text = em.kernels(got)
    fused = [k for k in text.split("kernel ")[1:] if "(64,)" in k.splitlines()[0] and "fused" in k]
    assert len(fused) == 1 and "asin" in fused[0] and "atan" in fused[0], text
    want = np.arcsin(xs.astype(np.float64)) * 2 + np.arctan(xs.astype(np.float64))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"])
def test_integer_power_wraps_and_refuses_negative_exponents(dtype):
    i = np.iinfo(dtype)
    a = np.array([0, 1, 2, 3, 7, i.max, i.min, 5, 2], dtype=dtype)
    if i.min < 0:
        a[[2, 5]] = [-1, -3]
    b = np.array([0, 9, 5, 3, 2, 2, 3, 1, i.bits - 1], dtype=dtype)
    ea, eb = em.asarray(a, device="pim"), em.asarray(b, device="pim")
    np.testing.assert_array_equal((ea ** eb).numpy(), a ** b)
    np.testing.assert_array_equal((ea[-2::-2] ** eb[1::2]).numpy(), a[-2::-2] ** b[1::2])
    np.testing.assert_array_equal((ea ** 3).numpy(), a ** 3)
    if i.min < 0:
        neg = em.asarray(np.array([1, -1, 2], dtype=dtype), device="pim")
        with pytest.raises(ValueError, match="negative integer powers"):
            (em.asarray(np.array([1, 2, 3], dtype=dtype), device="pim") ** neg).numpy()
        with pytest.raises(ValueError, match="negative integer powers"):
            (ea ** -1).numpy()
        np.testing.assert_array_equal(neg.numpy(), [1, -1, 2])  # inputs intact


def test_float64_is_not_implemented_on_pim():
    x = em.asarray(np.linspace(0.5, 2, 8), device="pim")
    for fn in (em.tan, em.arctan, em.arcsin, em.arccos):
        with pytest.raises(NotImplementedError, match="is not implemented on device pim"):
            fn(x).numpy()
    with pytest.raises(NotImplementedError, match="'pow' is not implemented on device pim"):
        (x ** x).numpy()
