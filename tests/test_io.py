"""ember.save / ember.load of .npy (and .npz) through numpy's format code."""
import io

import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, sample


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_save_load_roundtrip(tmp_path, dtype):
    for shape in [(), (0,), (3, 4), (2, 3, 4)]:
        a = sample(shape, dtype)
        p = tmp_path / f"a_{len(shape)}.npy"
        em.save(p, em.asarray(a))
        np.testing.assert_array_equal(np.load(p), a)  # NumPy reads what ember wrote
        b = em.load(p)
        assert isinstance(b, em.Array) and b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_array_equal(b.numpy(), a)


def test_views_lazy_values_and_file_objects(tmp_path):
    x = em.asarray(np.arange(12.0).reshape(3, 4))
    y = (x * 2).mT[::-1]  # lazy, transposed, negatively strided
    buf = io.BytesIO()
    em.save(buf, y)
    buf.seek(0)
    np.testing.assert_array_equal(em.load(buf).numpy(), (np.arange(12.0).reshape(3, 4) * 2).T[::-1])
    em.save(str(tmp_path / "noext"), x)  # '.npy' is appended as numpy.save does
    np.testing.assert_array_equal(em.load(str(tmp_path / "noext.npy")).numpy(), x.numpy())
    np.save(tmp_path / "np.npy", np.eye(3, dtype=np.int16))
    z = em.load(tmp_path / "np.npy")
    assert z.dtype == np.int16 and (z + 1).numpy().sum() == 12


def test_savez(tmp_path):
    p = tmp_path / "z.npz"
    em.savez(p, em.ones(3), b=em.arange(4))
    d = em.load(p)
    assert set(d) == {"arr_0", "b"}
    np.testing.assert_array_equal(d["b"].numpy(), np.arange(4))


def test_pickles_are_refused(tmp_path):
    p = tmp_path / "obj.npy"
    np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        em.load(p)
    with pytest.raises(ValueError):
        em.load(p, allow_pickle=True)
