"""PyPIM's public API on ember's pim device: `import ember.pim.compat as pim` runs PyPIM programs.

Differences from PyPIM (pim.md §2.4/§3), all where PyPIM was wrong or limited: IEEE-754 floats
(subnormals, inf/NaN, signed zero), comparisons that cannot overflow, Python-semantics `%`,
reductions and sorts of any size, slices with any step (negative too), bulk host transfers, and a
Tensor that is an ember array (`t.array`), so NumPy-style code can be mixed in. `int / int` keeps
PyPIM's C semantics (truncation toward zero; x / 0 -> 0).
"""
import builtins
import contextlib

import numpy as _np

import ember as _em

from . import format_metrics as _format, metrics as _metrics, reset_metrics as _reset

int32, float32 = _np.dtype("int32"), _np.dtype("float32")
bool = _np.dtype("bool")  # noqa: A001  (PyPIM shadows builtins.bool the same way)


class Type:
    int32, float32, bool = int32, float32, bool


FROM_NUMPY_DTYPE_CONVERSION = {int32: int32, float32: float32, bool: bool}
TO_NUMPY_DTYPE_CONVERSION = dict(FROM_NUMPY_DTYPE_CONVERSION)

__all__ = ["Tensor", "empty", "zeros", "ones", "from_numpy", "to_numpy", "arange", "linspace", "int32",
           "float32", "bool", "Type", "sin", "cos", "tan", "cos_sin", "degrees_to_radians",
           "radians_to_degrees", "Profiler", "getMetrics", "resetMetrics", "printMetrics",
           "compare_and_swap", "warpSize", "numWarps", "numRegs"]


def _check_dtype(dt):
    dt = _np.dtype(dt)
    if dt not in (int32, float32, bool):
        raise NotImplementedError(f"PyPIM tensors hold int32, float32 or bool, not {dt}")
    return dt


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not shape or 0 in shape:
        raise RuntimeError("Tensor shape must be non-empty with non-zero dimensions")
    return tuple(builtins.int(s) for s in shape)


class Tensor:
    """A PyPIM tensor: an ember array on the pim device."""

    def __init__(self, *shape, dtype=int32, ref_tensor=None, default_value=None, addr=None, array=None):
        if array is not None:
            self.array = array
            return
        dtype = _check_dtype(dtype)
        shape = _shape(shape)
        fill = 0 if default_value is None else default_value
        self.array = _em.full(shape, fill, dtype=dtype, device="pim")

    # ---- attributes ----
    @property
    def shape(self):
        return self.array.shape

    @property
    def dim(self):
        return self.array.ndim

    @property
    def nelem(self):
        return self.array.size

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def stride(self):
        return tuple(s // self.array.itemsize for s in _np.empty(self.shape, self.dtype).strides)

    def __len__(self):
        return self.shape[0]

    # ---- creation helpers ----
    def fill(self, v):
        self.array[...] = v
        return self

    def copy(self, dst):
        dst.array[...] = self.array
        return dst

    def clone(self):
        return Tensor(array=self.array.copy())

    def empty_like(self, default_value=None, dtype=None):
        return Tensor(*self.shape, dtype=dtype or self.dtype, default_value=default_value)

    def zeros_like(self, dtype=None):
        return self.empty_like(0, dtype)

    def ones_like(self, dtype=None):
        return self.empty_like(1, dtype)

    # ---- element-wise ----
    def _bin(self, other, fn):
        o = other.array if isinstance(other, Tensor) else other
        if isinstance(other, Tensor):
            if other.dtype != self.dtype:
                raise RuntimeError("Binary operation failed: type mismatch")
            if other.shape != self.shape:
                raise RuntimeError("Binary operation failed: shape mismatch")
        return Tensor(array=fn(self.array, o))

    def _rbin(self, other, fn):
        return Tensor(array=fn(other, self.array))

    def __add__(self, o): return self._bin(o, _em.add)  # noqa: E704
    def __radd__(self, o): return self._rbin(o, _em.add)  # noqa: E704
    def __sub__(self, o): return self._bin(o, _em.subtract)  # noqa: E704
    def __rsub__(self, o): return self._rbin(o, _em.subtract)  # noqa: E704
    def __mul__(self, o): return self._bin(o, _em.multiply)  # noqa: E704
    def __rmul__(self, o): return self._rbin(o, _em.multiply)  # noqa: E704
    def __mod__(self, o): return self._bin(o, _mod)  # noqa: E704
    def __rmod__(self, o): return self._rbin(o, _mod)  # noqa: E704
    def __truediv__(self, o): return self._bin(o, _div)  # noqa: E704
    def __rtruediv__(self, o): return self._rbin(o, _div)  # noqa: E704
    def __and__(self, o): return self._bin(o, _em.bitwise_and)  # noqa: E704
    def __rand__(self, o): return self._rbin(o, _em.bitwise_and)  # noqa: E704
    def __or__(self, o): return self._bin(o, _em.bitwise_or)  # noqa: E704
    def __ror__(self, o): return self._rbin(o, _em.bitwise_or)  # noqa: E704
    def __xor__(self, o): return self._bin(o, _em.bitwise_xor)  # noqa: E704
    def __rxor__(self, o): return self._rbin(o, _em.bitwise_xor)  # noqa: E704
    def __lt__(self, o): return self._bin(o, _em.less)  # noqa: E704
    def __le__(self, o): return self._bin(o, _em.less_equal)  # noqa: E704
    def __gt__(self, o): return self._bin(o, _em.greater)  # noqa: E704
    def __ge__(self, o): return self._bin(o, _em.greater_equal)  # noqa: E704
    def __eq__(self, o): return self._bin(o, _em.equal)  # noqa: E704
    def __ne__(self, o): return self._bin(o, _em.not_equal)  # noqa: E704
    def __neg__(self): return Tensor(array=-self.array)  # noqa: E704
    def __invert__(self): return Tensor(array=~self.array)  # noqa: E704
    __hash__ = object.__hash__

    def abs(self):
        return Tensor(array=_em.abs(self.array))

    def sign(self):
        """bool: the sign bit (PyPIM's sign; -0.0 gives True)."""
        return Tensor(array=_em.less(self.array, 0) if self.dtype != float32 else _signbit(self.array))

    def zero(self):
        """bool: x == 0 (IEEE: -0.0 is zero too, unlike PyPIM's bitwise test)."""
        return Tensor(array=_em.equal(self.array, 0))

    def mux(self, a, b):
        """self ? a : b (self is bool)."""
        if self.dtype != bool:
            raise RuntimeError("mux needs a bool condition")
        a = a.array if isinstance(a, Tensor) else a
        b = b.array if isinstance(b, Tensor) else b
        return Tensor(array=_em.where(self.array, a, b))

    # ---- collectives ----
    def reduce(self, func_name):
        return {"sum": self.sum, "prod": self.prod}[func_name]()

    def sum(self):
        return self.array.sum(dtype=self.dtype).item()

    def prod(self):
        return self.array.prod(dtype=self.dtype).item()

    def sort(self, group_size=None):
        """Ascending sort in consecutive groups of group_size elements (a new tensor)."""
        flat = self.array.reshape(-1)
        g = flat.size if group_size is None else builtins.int(group_size)
        if flat.size % g:
            raise RuntimeError("group_size must divide the number of elements")
        return Tensor(array=_em.sort(flat.reshape(-1, g), axis=-1).reshape(self.shape))

    # ---- indexing ----
    def __getitem__(self, key):
        if isinstance(key, builtins.int):
            if not -self.nelem <= key < self.nelem:
                raise RuntimeError("Index out of range.")
            return self.array.reshape(-1)[key].item()
        return Tensor(array=self.array[key])

    def __setitem__(self, key, value):
        if isinstance(key, builtins.int) and not -self.nelem <= key < self.nelem:
            raise RuntimeError("Index out of range.")
        self.array[key] = value.array if isinstance(value, Tensor) else value

    def get_parent_tensor(self):
        return self

    def __repr__(self):
        return f"Tensor({self.array.numpy()!r})"

    def __array__(self, dtype=None, copy=None):
        a = self.array.numpy()
        return a if dtype is None else a.astype(dtype)


def _signbit(a):
    # The sign bit of a float32 through an int32 view (no float compare needed).
    return _em.less(_em.asarray(a.numpy().view(_np.int32), device="pim"), 0)


def _div(x, y):
    """PyPIM's division: float: IEEE true divide; int: C division truncating toward zero."""
    xd = x.dtype if isinstance(x, _em.Array) else None
    yd = y.dtype if isinstance(y, _em.Array) else None
    if (xd or yd) == float32:
        return _em.divide(x, y)
    q = _em.floor_divide(x, y)
    r = _em.remainder(x, y)
    # floor -> trunc: add 1 where the remainder is non-zero and the signs differ
    fix = _em.logical_and(_em.not_equal(r, 0), _em.not_equal(_em.less(x, 0), _em.less(y, 0)))
    return _em.where(fix, q + 1, q)


def _mod(x, y):
    xd = x.dtype if isinstance(x, _em.Array) else None
    if xd is not None and xd != int32:
        raise RuntimeError("Cannot perform modulo operation on non-int data type.")
    return _em.remainder(x, y)


def empty(*shape, dtype=int32):
    return Tensor(*shape, dtype=dtype)


def zeros(*shape, dtype=int32):
    return Tensor(*shape, dtype=dtype, default_value=0)


def ones(*shape, dtype=int32):
    return Tensor(*shape, dtype=dtype, default_value=1)


def from_numpy(arr):
    """One bulk transfer (PyPIM: one write per element)."""
    arr = _np.asarray(arr)
    _check_dtype(arr.dtype)
    return Tensor(array=_em.asarray(arr, device="pim"))


def to_numpy(t):
    return t.array.numpy().copy()


def arange(*args, dtype=int32, **kw):
    return from_numpy(_np.arange(*args, **kw).astype(dtype))


def linspace(*args, dtype=float32, **kw):
    return from_numpy(_np.linspace(*args, **kw).astype(dtype))


def compare_and_swap(a, b, dir):  # noqa: A002
    """PyPIM's bitonic step: (min, max) per element, swapped where dir is True."""
    sel = Tensor(array=_em.not_equal(_em.less(b.array, a.array), dir.array))
    lo = sel.mux(b, a)
    hi = sel.mux(a, b)
    return lo, hi


# ---- trigonometry (PyPIM: CORDIC in Python; here the machine's sin/cos macros) ----
def sin(alpha, num_iters=32):
    return Tensor(array=_em.sin(alpha.array))


def cos(alpha, num_iters=32):
    return Tensor(array=_em.cos(alpha.array))


def cos_sin(alpha, num_iters=32):
    return cos(alpha), sin(alpha)


def tan(alpha, num_iters=32):
    return Tensor(array=_em.sin(alpha.array) / _em.cos(alpha.array))


def degrees_to_radians(t):
    return t * float(_np.float32(_np.pi / 180))


def radians_to_degrees(t):
    return t * float(_np.float32(180 / _np.pi))


# ---- machine queries ----
def warpSize():  # noqa: N802
    from . import geometry
    return geometry()["rows"]


def numWarps():  # noqa: N802
    from . import geometry
    return geometry()["crossbars"]


def numRegs():  # noqa: N802
    from . import geometry
    g = geometry()
    return g["columns"] // g["partitions"]


# ---- profiling ----
class Metrics:
    """PyPIM's driver.Metrics(latency, energy)."""

    def __init__(self, latency, energy):
        self.latency, self.energy = latency, energy

    def __sub__(self, o):
        return Metrics(self.latency - o.latency, self.energy - o.energy)

    def __add__(self, o):
        return Metrics(self.latency + o.latency, self.energy + o.energy)

    def __repr__(self):
        return f"Metrics(latency={self.latency}, energy={self.energy})"


def getMetrics():  # noqa: N802
    """{'mask', 'rw', 'logic', 'move', 'transfer', 'total'} -> Metrics (transfer: bulk host I/O)."""
    return {k: Metrics(*v) for k, v in _metrics().items()}


def resetMetrics():  # noqa: N802
    _reset()


def _as_tuples(m):
    return {k: (v.latency, v.energy) for k, v in m.items()}


def printMetrics(m=None):  # noqa: N802
    print(_format(None if m is None else _as_tuples(m)))


@contextlib.contextmanager
def _profiler(name):
    before = getMetrics()
    yield
    after = getMetrics()
    delta = {k: after[k] - before[k] for k in after}
    print(_format(_as_tuples(delta), title=name))


class Profiler:
    """`with pim.Profiler():` prints the metrics of the block on exit (lazy ops run at sync points:
    read a result inside the block, e.g. with to_numpy, to have it counted)."""

    def __init__(self, name=None):
        self.name = name

    def __enter__(self):
        self._cm = _profiler(self.name)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
