"""save / load / savez of NumPy's .npy and .npz formats, through numpy's own format code on the
evaluated values (no pickles)."""
import os

import numpy as _np

from ._array import Array

__all__ = ["save", "load", "savez", "savez_compressed"]


def _numpy(arr):
    a = arr.numpy() if isinstance(arr, Array) else _np.asarray(arr)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"ember.save: dtype {a.dtype} has no portable .npy form")
    return a


def save(file, arr, allow_pickle=False):
    """Writes arr to a .npy file (a path, with '.npy' appended if missing, or a binary file object)."""
    if allow_pickle:
        raise ValueError("ember.save: allow_pickle=True is not supported (ember arrays never hold objects)")
    _np.save(file, _numpy(arr), allow_pickle=False)


def savez(file, *args, **kwds):
    """Several arrays in one uncompressed .npz archive (positional ones as arr_0, arr_1, ...)."""
    _np.savez(file, *(_numpy(a) for a in args), **{k: _numpy(v) for k, v in kwds.items()})


def savez_compressed(file, *args, **kwds):
    _np.savez_compressed(file, *(_numpy(a) for a in args), **{k: _numpy(v) for k, v in kwds.items()})


def load(file, mmap_mode=None, allow_pickle=False, **kwargs):
    """Reads a .npy file as an ember array, or a .npz archive as a dict of ember arrays. Pickled
    object arrays are refused (allow_pickle=True is not supported)."""
    from ._creation import asarray

    if allow_pickle:
        raise ValueError("ember.load: allow_pickle=True is not supported (ember arrays never hold objects)")
    if mmap_mode is not None:
        raise NotImplementedError("ember.load: mmap_mode is not supported")
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as f:
            return _load_open(f, asarray, kwargs)
    return _load_open(file, asarray, kwargs)


def _load_open(f, asarray, kwargs):
    data = _np.load(f, allow_pickle=False, **kwargs)
    if isinstance(data, _np.lib.npyio.NpzFile):
        with data:
            return {k: asarray(_np.array(data[k])) for k in data.files}
    return asarray(data)
