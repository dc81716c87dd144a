"""nextafter (float32 / float64, bit for bit) and logaddexp / logaddexp2 (float32, within the
measured error bound) on pim against NumPy, over all pairs of edge values and random values."""
import itertools

import numpy as np
import pytest

import ember as em
import ember.pim  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def pairs(dt, n=1500, scale=10.0):
    fi = np.finfo(dt)
    sp = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, -np.nan, fi.max, -fi.max, fi.tiny, -fi.tiny,
                   fi.smallest_subnormal, -fi.smallest_subnormal, 2.5, -3e-3, 88.0, -104.0], dtype=dt)
    x, y = (np.array(v, dtype=dt) for v in zip(*itertools.product(sp, sp)))
    rng = np.random.default_rng(3)
    rx, ry = (rng.standard_normal(n) * scale for _ in range(2))
    ry[: n // 3] = rx[: n // 3] + rng.standard_normal(n // 3) * 1e-3  # close pairs
    return np.concatenate([x, rx.astype(dt)]), np.concatenate([y, ry.astype(dt)])


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_nextafter_bit_for_bit(dt):
    x, y = pairs(dt)
    got = em.nextafter(em.asarray(x, device="pim"), em.asarray(y, device="pim")).numpy()
    want = np.nextafter(x, y)
    assert got.dtype == want.dtype
    # NaNs: the quieted NaN operand (x's first), as glibc's x + y
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_nextafter_views_scalars_and_fusion(dt):
    a = np.linspace(-3, 3, 24, dtype=dt).reshape(4, 6)
    x = em.asarray(a, device="pim")
    np.testing.assert_array_equal(em.nextafter(x[:, ::-2], 0.0).numpy(), np.nextafter(a[:, ::-2], dt(0)))
    np.testing.assert_array_equal(em.nextafter(x, x[0]).numpy(),
                                  np.nextafter(a, a[0]))
    np.testing.assert_array_equal(em.nextafter(x * 2, np.inf).numpy() - 1, np.nextafter(a * 2, np.inf) - 1)


@pytest.mark.parametrize("op,bound", [("logaddexp", 1.15), ("logaddexp2", 1.5)])
def test_logaddexp_float32(op, bound):
    x, y = pairs(np.float32)
    got = getattr(em, op)(em.asarray(x, device="pim"), em.asarray(y, device="pim")).numpy()
    want = getattr(np, op)(x, y)
    assert got.dtype == np.float32
    special = ~np.isfinite(want)
    np.testing.assert_array_equal(got[special], want[special])  # inf, -inf and NaN exactly
    fin = ~special
    assert np.isfinite(got[fin]).all()
    # max(x, y) + log1p(...) cancels when the result is near 0, for NumPy's float32 formula as for
    # this one (ulp errors of the result in the hundreds there), so the bound is on the absolute
    # error in units of the larger operand: measured 1.148 (logaddexp) and 1.499 (logaddexp2)
    # against the correctly rounded result; NumPy's float32 gives 1.148 and 1.522 on these pairs.
    exact = getattr(np, op)(x.astype(np.float64), y.astype(np.float64))
    big = np.minimum(np.maximum(np.maximum(np.abs(x), np.abs(y)), 1), 2.0**127).astype(np.float32)
    err = np.abs(got[fin].astype(np.float64) - exact[fin]) / np.spacing(big[fin]).astype(np.float64)
    assert err.max() <= bound


def test_logaddexp_float64_is_a_clear_error():
    x = em.asarray(np.ones(3), device="pim")
    with pytest.raises(NotImplementedError, match="logaddexp"):
        em.logaddexp(x, x).numpy()
