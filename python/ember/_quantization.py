"""Linear (affine) quantization with ONNX QuantizeLinear / DequantizeLinear semantics, composed from ember ops.

    q = saturate(round_half_even(x / scale) + zero_point)        quantize_linear
    x = (q - zero_point) * scale                                 dequantize_linear

Nothing here computes in C++ beyond existing ops (divide, round, add, clip, where, astype), so the same
arithmetic runs lazily, fuses, and runs on every device that has those ops. The results are bit-exact
with onnxruntime's CPU kernels for float32 inputs (tests/test_low_precision.py), including its choice
for NaN, which ONNX leaves unspecified for integer outputs: NaN becomes the dtype's lowest value
(-128 for int8, 0 for uint8); +-inf saturate.
"""
import numpy as _np

from . import _dtypes
from ._array import Array
from ._creation import asarray
from ._elementwise import add, clip, divide, isnan, multiply, round, subtract, where
from ._manipulation import reshape

__all__ = ["quantize_linear", "dequantize_linear", "quantize"]

# The integer types ONNX QuantizeLinear can produce (int16/uint16 from opset 21).
_QTYPES = ("int8", "uint8", "int16", "uint16")


def _qdtype(dtype):
    name = _dtypes.name_of(dtype)
    if name not in _QTYPES:
        raise TypeError(f"quantized dtype must be one of {', '.join(_QTYPES)}, not {name}")
    return _np.dtype(name)


def _float_dtype(x):
    # ONNX computes in the input's float type; 16-bit floats are exact in float32, so compute there.
    if x.dtype == _np.float64:
        return _np.float64
    if _dtypes.isdtype(x.dtype, "real floating"):
        return _np.float32
    raise TypeError(f"quantize_linear needs a real floating input, not {x.dtype}")


def _check_scale(scale):
    # Concrete scales are checked here; an ember Array scale stays lazy and is trusted.
    if isinstance(scale, Array):
        return
    s = _np.asarray(scale, dtype=_np.float64)
    if s.size == 0 or not _np.all(_np.isfinite(s)) or not _np.all(s > 0):
        raise ValueError(f"scale must be finite and positive, got {s.tolist()}")


def _per_axis(param, ndim, axis, name, dtype):
    """Reshape a scale or zero point so it broadcasts along `axis` (ONNX's per-axis rule)."""
    p = param if isinstance(param, Array) else asarray(_np.asarray(param, dtype=dtype))
    if axis is None:
        if p.size != 1:
            raise ValueError(f"{name} has {p.size} elements; pass axis= for per-axis quantization")
        return reshape(p, ())
    if ndim == 0:
        raise ValueError("per-axis quantization needs an input with at least one dimension")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for an input with {ndim} dimensions")
    if p.ndim > 1:
        raise ValueError(f"per-axis {name} must be 1-D, got shape {p.shape}")
    shape = [1] * ndim
    shape[axis] = -1
    return reshape(p, tuple(shape))


def _axis_len_ok(x, p, axis, name):
    if axis is not None and p.size != 1 and p.size != x.shape[axis]:
        raise ValueError(f"{name} has {p.size} elements but axis {axis} of the input has {x.shape[axis]}")


def quantize_linear(x, scale, zero_point=0, dtype=_np.int8, axis=None):
    """ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zero_point) as `dtype`.

    `scale` and `zero_point` are scalars (per-tensor) or 1-D along `axis` (per-axis). Out-of-range values
    and +-inf saturate; NaN gives the dtype's lowest value, as onnxruntime does."""
    x = x if isinstance(x, Array) else asarray(x)
    qt = _qdtype(dtype)
    ft = _float_dtype(x)
    _check_scale(scale)
    s = _per_axis(scale, x.ndim, axis, "scale", ft)
    z = _per_axis(zero_point, x.ndim, axis, "zero_point", ft)
    _axis_len_ok(x, s, axis, "scale")
    _axis_len_ok(x, z, axis, "zero_point")
    lo, hi = _np.iinfo(qt).min, _np.iinfo(qt).max
    v = add(round(divide(x.astype(ft), s.astype(ft))), z.astype(ft))
    return where(isnan(v), lo, clip(v, lo, hi)).astype(qt)


def dequantize_linear(q, scale, zero_point=0, axis=None):
    """ONNX DequantizeLinear: (q - zero_point) * scale, in float32 (float64 if scale is a float64 array).

    q is an integer array (int8/uint8/int16/uint16/int32); scale and zero_point per-tensor or 1-D along
    `axis`."""
    q = q if isinstance(q, Array) else asarray(q)
    if not _dtypes.isdtype(q.dtype, "integral"):
        raise TypeError(f"dequantize_linear needs an integer input, not {q.dtype}")
    _check_scale(scale)
    # float32 (ONNX's type) unless the scale is an array of float64; Python floats are weak, as in NEP 50
    sd = None if isinstance(scale, (float, int)) else getattr(scale, "dtype", _np.asarray(scale).dtype)
    ft = _np.float64 if sd == _np.float64 else _np.float32
    s = _per_axis(scale, q.ndim, axis, "scale", ft)
    z = _per_axis(zero_point, q.ndim, axis, "zero_point", _np.int64)
    _axis_len_ok(q, s, axis, "scale")
    _axis_len_ok(q, z, axis, "zero_point")
    # The integer difference is exact in int64 and in the float type for 8/16-bit (and int32 with zp 0).
    d = subtract(q.astype(_np.int64), z.astype(_np.int64)).astype(ft)
    return multiply(d, s.astype(ft))


def quantize(model, calibration, path=None, **options):
    """Quantize an fp32 ONNX model to QDQ int8; see ember.onnx._quantize.quantize (needs onnx, onnxruntime)."""
    from .onnx._quantize import quantize as _quantize

    return _quantize(model, calibration, path=path, **options)
