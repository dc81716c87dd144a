"""Zero-copy exchange of cuda arrays: __cuda_array_interface__ (v3) and DLPack (kDLCUDA).

Exports evaluate the array and share its memory; a consumer's writes change the ember array (ember
first gives a storage that lazy values still read a private copy). Stream semantics: the CAI
"stream" is ember's stream for the device, on which consumers order their reads; __dlpack__(stream=s)
makes stream s wait for ember's queued work (None: the legacy default stream, -1: no ordering).
Imports make ember's stream wait for the producer's stream and hold the producer's object (CAI) or
capsule (DLPack) until the last ember array over that memory dies. CAI carries no device: imported
pointers are taken to be on the current device (em.cuda.set_device)."""
import numpy as _np

from .. import _core

_cuda = getattr(_core, "cuda", None)
_kDLCUDA, _kDLCUDAManaged = 2, 13


def _dlpack_device_of(x):
    try:
        return tuple(x.__dlpack_device__())
    except Exception:
        return None


def is_cuda_object(x):
    """Whether x exposes CUDA memory through __cuda_array_interface__ or CUDA DLPack."""
    if hasattr(x, "__cuda_array_interface__"):
        return True
    if hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__"):
        dev = _dlpack_device_of(x)
        return dev is not None and dev[0] in (_kDLCUDA, _kDLCUDAManaged)
    return False


def import_cuda_object(x):
    """An ember cuda array over x's memory (DLPack preferred, else __cuda_array_interface__)."""
    if hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__"):
        dev = _dlpack_device_of(x)
        if dev is not None and dev[0] in (_kDLCUDA, _kDLCUDAManaged):
            return from_dlpack(x)
    return from_cuda_array_interface(x)


def _require():
    from . import _require as require

    require()


def cuda_array_interface(a):
    """The __cuda_array_interface__ dict (version 3) of an ember cuda array."""
    d = dict(_cuda.cai_export(a._h))
    d.pop("device")
    dt = a.dtype
    if dt.kind not in "biufc":
        raise TypeError(f"__cuda_array_interface__ has no typestr for {dt}")
    d["typestr"] = dt.str
    d["descr"] = [("", dt.str)]
    d["mask"] = None
    return d


def from_cuda_array_interface(x):
    _require()
    from .._array import _wrap

    cai = x.__cuda_array_interface__
    if not isinstance(cai, dict) or "shape" not in cai or "typestr" not in cai or "data" not in cai:
        raise TypeError(f"{type(x).__name__}.__cuda_array_interface__ lacks shape, typestr or data")
    if cai.get("mask") is not None:
        raise NotImplementedError("masked __cuda_array_interface__ arrays are not supported")
    dt = _np.dtype(cai["typestr"])
    if dt.byteorder == ">":
        raise TypeError(f"__cuda_array_interface__ typestr {cai['typestr']!r}: big-endian data is not supported")
    if dt.kind not in "biufc":
        raise TypeError(f"__cuda_array_interface__ typestr {cai['typestr']!r} has no ember dtype")
    ptr, readonly = cai["data"]
    strides = cai.get("strides")
    device = _cuda.current_device()
    stream = cai.get("stream")
    if stream is not None:
        if stream == 0:
            raise ValueError("__cuda_array_interface__ stream 0 is not allowed by the protocol (v3)")
        _cuda.wait_for_stream(device, int(stream))
    return _wrap(_cuda.cai_import(int(ptr or 0), [int(s) for s in cai["shape"]], dt.name,
                                  [] if strides is None else [int(s) for s in strides], bool(readonly), x, device))


def to_dlpack(a, stream=None, max_version=None, dl_device=None, copy=None):
    """__dlpack__ of an ember cuda array (zero-copy; copy=True exports a copy)."""
    if copy:
        a = a.copy()
    exported = _cuda.dlpack_export(a._h)
    dev = exported.__dlpack_device__()
    if stream != -1:
        _cuda.stream_waits_for_ember(dev[1], 1 if stream is None else int(stream))
    kwargs = {}
    if max_version is not None:
        kwargs["max_version"] = tuple(max_version)
    if dl_device is not None:
        kwargs["dl_device"] = tuple(dl_device)
    return exported.__dlpack__(**kwargs)


def dlpack_device(a):
    return tuple(_cuda.dlpack_export(a._h).__dlpack_device__())


def from_dlpack(x):
    """An ember cuda array over a CUDA DLPack producer's memory (or a DLPack capsule)."""
    _require()
    from .._array import _wrap

    if type(x).__name__ == "PyCapsule":
        return _wrap(_cuda.dlpack_import(x))
    dev = _dlpack_device_of(x)
    stream = _cuda.ember_stream(dev[1] if dev else _cuda.current_device())
    try:
        capsule = x.__dlpack__(stream=stream, max_version=(1, 0))
    except TypeError:  # producers older than the 2023.12 array API
        capsule = x.__dlpack__(stream=stream)
    return _wrap(_cuda.dlpack_import(capsule))
