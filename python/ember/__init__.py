"""ember: NumPy-style arrays, run lazily by a C++ engine on the hardware you have.

    import ember as np      # ordinary NumPy programs run unchanged
"""
import os as _os

from . import _core

_core._set_package_dir(_os.path.dirname(_os.path.abspath(__file__)) + _os.sep)

from math import e, inf, nan, pi  # noqa: E402

from ._array import Array  # noqa: E402
from ._creation import *  # noqa: E402,F401,F403
from ._dtypes import (  # noqa: E402,F401
    bfloat16, bool, bool_, cdouble, complex64, complex128, csingle, double, finfo, float16, float32, float64, half,
    iinfo, int8, int16, int32, int64, intp, isdtype, single, uint8, uint16, uint32, uint64, uintp,
)
from ._device import *  # noqa: E402,F401,F403
from ._elementwise import *  # noqa: E402,F401,F403
from ._engine import *  # noqa: E402,F401,F403
from ._indexing import *  # noqa: E402,F401,F403
from ._info import __array_namespace_info__  # noqa: E402,F401
from ._io import *  # noqa: E402,F401,F403
from ._linalg_functions import *  # noqa: E402,F401,F403
from ._manipulation import *  # noqa: E402,F401,F403
from ._quantization import dequantize_linear, quantize, quantize_linear  # noqa: E402,F401
from ._searching import *  # noqa: E402,F401,F403
from ._sets import *  # noqa: E402,F401,F403
from ._sorting import *  # noqa: E402,F401,F403
from ._statistical import *  # noqa: E402,F401,F403
from ._utility import *  # noqa: E402,F401,F403
from . import linalg, random  # noqa: E402,F401
from .jit import ConversionError, cond, fori_loop, jit, scan, while_loop  # noqa: E402,F401
from .jit import cond, fori_loop, jit, scan, while_loop  # noqa: E402,F401
from .introspect import *  # noqa: E402,F401,F403  (after numpy's trace: em.trace(path) traces)



def __getattr__(name):
    # ember.onnx imports onnx/onnxruntime when used, and ember.cuda is the GPU runtime: load them on
    # first access, not with ember.
    if name in ("onnx", "cuda"):
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


newaxis = None
ndarray = Array
__version__ = "0.1.0"
__array_api_version__ = "2023.12"
