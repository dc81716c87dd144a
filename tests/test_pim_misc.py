"""The small pim macros (imag / real / conj of real arrays, fabs, fmin, fmax, copysign, heaviside,
deg2rad, rad2deg, reciprocal, fmod) and minimum / maximum's signed-zero ties, bit for bit against
NumPy over dtypes, edge values and every layout (check_op with arrays created on pim)."""
import numpy as np
import pytest

import ember as em
from helpers import check_op, sample

pim = pytest.importorskip("ember.pim")

FLOATS = ["float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]


def _edges(dtype):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return np.array([0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 1e-45 if dt.itemsize == 4 else 5e-324, np.inf, -np.inf,
                         np.nan, 180.0, 3.0, -3.0], dtype=dt)
    i = np.iinfo(dt)
    return np.array([0, 1, 2, 3, 7, i.max, i.min, i.max - 1] + ([-1, -2, -7] if i.min < 0 else []), dtype=dt)


def _bits_equal(got, want):
    got = got.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind == "f":
        nan = np.isnan(want)
        np.testing.assert_array_equal(np.isnan(got), nan)
        np.testing.assert_array_equal(got[~nan].view(np.uint8), want[~nan].view(np.uint8))
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op,np_op", [("fmod", np.fmod), ("fmin", np.fmin), ("fmax", np.fmax),
                                      ("minimum", np.minimum), ("maximum", np.maximum),
                                      ("copysign", np.copysign), ("heaviside", np.heaviside)])
@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_binary_edges_bit_for_bit(op, np_op, dtype):
    if op in ("copysign", "heaviside") and dtype in INTS:
        dtype = "float64" if np.dtype(dtype).itemsize >= 4 else "float32"
    v = _edges(dtype)
    a, b = np.repeat(v, len(v)), np.tile(v, len(v))
    if op in ("fmin", "fmax"):  # +-0 ties follow NumPy's code path (its SIMD and scalar loops differ)
        keep = ~((a == 0) & (b == 0))
        a, b = a[keep], b[keep]
    with np.errstate(all="ignore"):
        want = np_op(a, b)
    _bits_equal(getattr(em, op)(em.asarray(a, device="pim"), em.asarray(b, device="pim")), want)


@pytest.mark.parametrize("op", ["fmod", "fmin", "fmax", "copysign", "heaviside"])
@pytest.mark.parametrize("dtype", ["float32", "int16", "uint32"])
def test_binary_layouts_and_broadcasts(op, dtype):
    with em.default_device("pim"):
        for shape in [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)]:
            x = sample(shape, dtype, 1)
            y = sample(shape[-1:], dtype, 2) + (1 if dtype != "float32" else 0)
            check_op(getattr(em, op), getattr(np, op), x, y, rtol=0)


@pytest.mark.parametrize("op", ["imag", "real", "conj", "fabs", "deg2rad", "rad2deg", "reciprocal"])
@pytest.mark.parametrize("dtype", ["bool", "int16", "int32", "int64", "uint32", "float32", "float64"])
def test_unary_every_layout(op, dtype):
    if op == "reciprocal" and dtype == "bool":
        dtype = "int8"
    if op in ("fabs", "deg2rad", "rad2deg") and dtype == "bool":
        # NumPy gives float16 here, a dtype pim stores but has no microcode for: a clear refusal
        with pytest.raises(NotImplementedError, match="float16"):
            getattr(em, op)(em.asarray(np.array([True, False]), device="pim")).numpy()
        return
    with em.default_device("pim"):
        for shape in [(), (0,), (1,), (7,), (3, 4), (2, 3, 4)]:
            x = sample(shape, dtype, 3, low=-4, high=5)
            check_op(getattr(em, op), getattr(np, op), x, rtol=0)
    v = _edges(dtype) if dtype != "bool" else np.array([True, False])
    with np.errstate(all="ignore"):
        want = getattr(np, op)(v)
    _bits_equal(getattr(em, op)(em.asarray(v, device="pim")), want)


def test_small_macros_fuse_and_stay_in_memory():
    x = sample((64,), "float32", 5)
    e = em.asarray(x, device="pim")
    em.eval(e)
    r = em.copysign(em.fmax(e, 0.5) * 2, -e) + em.deg2rad(e)
    count, text = em.kernels(r)
    fused = [k for k in text.split("kernel ")[1:] if "fused" in k]
    assert len(fused) == 1 and "copysign" in fused[0] and "deg2rad" in fused[0], text
    with pim.profile() as p:
        got = r.numpy()
    assert all(not op["fallback"] for op in p.ops)
    np.testing.assert_array_equal(got, np.copysign(np.fmax(x, np.float32(0.5)) * np.float32(2), -x) + np.deg2rad(x))


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("dtype", ["int16", "uint32", "float32", "float64"])
def test_reductions_with_initial(op, dtype):
    # the results combined in memory with the initial value by the reduction's own macro
    for shape, axis in [((7,), None), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), (0, 2)), ((0, 3), 0), ((0,), None)]:
        a = sample(shape, dtype, 4, low=-3, high=4)
        got = getattr(em, op)(em.asarray(a, device="pim"), axis=axis, initial=2)
        assert got.device == "pim"
        want = getattr(np, op)(a, axis=axis, initial=2)
        if a.dtype.kind == "f":  # sums / products in tree order
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
        else:
            np.testing.assert_array_equal(got.numpy(), want)
    x = np.array([1.0, np.nan, -0.0], np.float32)
    np.testing.assert_array_equal(em.max(em.asarray(x, device="pim"), initial=5.0).numpy(), np.max(x, initial=5.0))
