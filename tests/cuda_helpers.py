"""What the cuda test files share: whether this build has the cuda device, and skipping a test that
needs a GPU with the reason none is usable."""
import numpy as np
import pytest

import ember as em

BUILT = hasattr(em._core, "cuda")
needs_build = pytest.mark.skipif(not BUILT, reason="this build of ember has no cuda device")


def gpu():
    """Skips the calling test, naming why, unless a GPU and its driver are usable."""
    if not em.cuda.is_available():
        pytest.skip("no GPU/driver: " + em.cuda.why_unavailable())


def on_gpu(a):
    """A NumPy array (or nested list) copied to a new ember array on the GPU."""
    return em.asarray(np.asarray(a), device="cuda")


def close(x, ref, rtol=1e-6, atol=0):
    """ember (or NumPy) result x == ref: same shape and dtype, floats within rtol/atol (nan == nan),
    everything else exactly."""
    got = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    ref = np.asarray(ref)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    assert got.dtype == ref.dtype, (got.dtype, ref.dtype)
    if ref.dtype.kind in "fc":
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, ref)


def sample(shape, dtype, seed=0):
    """Normal values (x4) of `dtype` for the cuda tests: complex gets an imaginary part, bool is x > 0."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 4
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    if np.dtype(dtype).kind == "b":
        return x > 0
    return x.astype(dtype)
