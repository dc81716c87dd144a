"""The one shared helper that checks an ember op against NumPy over dtypes and awkward shapes."""
import numpy as np

import ember as em

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128"]
INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_DTYPES = ["float16", "float32", "float64"]
REAL_DTYPES = ["bool"] + INT_DTYPES + FLOAT_DTYPES
NUMERIC_DTYPES = INT_DTYPES + FLOAT_DTYPES + ["complex64", "complex128"]


def sample(shape, dtype, seed=0, low=-5, high=5):
    """Deterministic values of `dtype`: small integers, with fractions, infs and nans for floats."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dt.kind == "u":
        return rng.integers(0, high * 2, size=shape).astype(dt)
    if dt.kind == "i":
        return rng.integers(low, high, size=shape).astype(dt)
    vals = rng.uniform(low, high, size=shape)
    if dt.kind == "c":
        vals = vals + 1j * rng.uniform(low, high, size=shape)
    return vals.astype(dt)


def layouts(base):
    """(name, numpy array, ember array) for one set of values in awkward layouts: contiguous,
    strided, negatively strided, transposed, and a view of a larger ember array."""
    out = [("contiguous", base, em.asarray(base))]
    if base.ndim >= 1 and base.shape[-1] > 0:
        big = np.repeat(base, 2, axis=-1)
        out.append(("strided", big[..., ::2], em.asarray(big)[..., ::2]))
        rev = np.ascontiguousarray(base[..., ::-1])
        out.append(("negative-stride", rev[..., ::-1], em.asarray(rev)[..., ::-1]))
    if base.ndim >= 2:
        t = np.ascontiguousarray(np.swapaxes(base, -1, -2))
        out.append(("transposed", np.swapaxes(t, -1, -2), em.asarray(t).mT))
    return out


SHAPES = [(), (0,), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)]
BROADCAST_PAIRS = [((), (3,)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((1,), (0,)), ((5, 1, 2), (3, 1))]


def assert_matches(ours, theirs, rtol=None, atol=0, check_dtype=True):
    """ember result == NumPy result: same shape, same dtype, values equal (nan == nan) within rtol."""
    got = np.asarray(ours.numpy() if isinstance(ours, em.Array) else ours)
    exp = np.asarray(theirs)
    assert got.shape == exp.shape, f"shape {got.shape} != NumPy's {exp.shape}"
    if check_dtype:
        assert got.dtype == exp.dtype, f"dtype {got.dtype} != NumPy's {exp.dtype}"
    if rtol is None:
        rtol = {"float16": 1e-3, "float32": 1e-5, "complex64": 1e-5}.get(exp.dtype.name, 1e-12 if exp.dtype.kind in "fc" else 0)
    if exp.dtype.kind in "fc":
        np.testing.assert_allclose(got, exp, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, exp)


def _builtin_base(e):
    """NumPy's own exception classes (UFuncTypeError, ...) as the builtin one they derive from."""
    return next(t for t in type(e).__mro__ if t.__module__ == "builtins")


def check_op(em_fn, np_fn, *arrays, **kw):
    """Runs em_fn on ember copies of `arrays` (in every layout of the first) and np_fn on NumPy's;
    both must raise the same exception type or give matching results. Inputs must stay intact."""
    for name, np_a, em_a in layouts(arrays[0]):
        rest_np = arrays[1:]
        rest_em = [em.asarray(a) if isinstance(a, np.ndarray) else a for a in rest_np]
        before = np_a.copy()
        try:
            with np.errstate(all="ignore"):
                expected = np_fn(np_a, *rest_np)
        except Exception as e:  # NumPy refuses: ember must refuse with the same kind of error
            try:
                em_fn(em_a, *rest_em).numpy()
            except _builtin_base(e) if not isinstance(e, np.exceptions.AxisError) else (ValueError, IndexError):
                continue
            except Exception as ours:
                raise AssertionError(f"[{name}] NumPy raised {type(e).__name__}, ember {type(ours).__name__}: {ours}")
            raise AssertionError(f"[{name}] NumPy raised {type(e).__name__}: {e}; ember did not")
        got = em_fn(em_a, *rest_em)
        try:
            if isinstance(expected, tuple):
                for g, x in zip(got, expected):
                    assert_matches(g, x, **kw)
            else:
                assert_matches(got, expected, **kw)
        except AssertionError as err:
            raise AssertionError(f"[{name} layout] {err}") from None
        np.testing.assert_array_equal(em_a.numpy(), before, err_msg=f"[{name}] input modified")
