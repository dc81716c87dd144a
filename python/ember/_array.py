"""ember.Array: a NumPy-style array whose values live in the C++ core's lazy graph.

Every operation builds graph nodes; values are computed at sync points (numpy(), printing,
float(), bool(), item(), tolist(), ember.eval, ...)."""
import builtins
import operator

import numpy as _np

from . import _core
from . import _dtypes

_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def _wrap(handle):
    a = Array.__new__(Array)
    a._h = handle
    return a


def _operand(x):
    """A core operand: an Array's handle, a Python scalar as is (weak, NEP 50), or an array made from x."""
    if isinstance(x, Array):
        return x._h
    if type(x) in _SCALARS:
        return x
    from ._creation import asarray

    return asarray(x)._h


def _index_item(k):
    if isinstance(k, Array):
        return k._h
    if k is None or k is Ellipsis or isinstance(k, (slice, builtins.int)) or type(k) is builtins.bool:
        if type(k) is builtins.bool or isinstance(k, _np.bool_):
            return _operand(_np.asarray(k))
        return k
    if isinstance(k, (list, _np.ndarray, _np.bool_)):
        from ._creation import asarray

        if isinstance(k, list) and not k:
            return asarray(k, dtype="int64")._h  # a[[]] is an empty integer index, as in NumPy
        return asarray(k)._h
    if hasattr(k, "__index__"):
        return operator.index(k)
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and integer or boolean arrays are valid indices, "
        f"not {type(k).__name__}")


def _key(key):
    if isinstance(key, tuple):
        return tuple(_index_item(k) for k in key)
    return _index_item(key)


def _ns():
    import ember

    return ember


class Array:
    """An n-dimensional array, as numpy.ndarray, evaluated lazily by ember's C++ core."""

    __slots__ = ("_h", "__weakref__")
    __array_ufunc__ = None  # numpy_array + ember_array defers to Array.__radd__
    __array_priority__ = 100

    # ---- attributes ----
    @property
    def shape(self):
        return self._h.shape

    @property
    def ndim(self):
        return self._h.ndim

    @property
    def size(self):
        return self._h.size

    @property
    def dtype(self):
        return _dtypes.from_name(self._h.dtype)

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.itemsize

    @property
    def device(self):
        return _core.device_of(self._h)

    @property
    def T(self):
        return _wrap(_core.permute_dims(self._h, list(range(self.ndim))[::-1]))

    @property
    def mT(self):
        return _wrap(_core.matrix_transpose(self._h))

    @property
    def real(self):
        return _ns().real(self)

    @property
    def imag(self):
        return _ns().imag(self)

    # ---- conversion and sync points ----
    def numpy(self):
        """The values as a read-only NumPy array (zero-copy view of the evaluated buffer)."""
        if self.size == 0:
            return _np.empty(self.shape, dtype=self.dtype)
        if self.device != "cpu":  # one bulk transfer to the host
            return _wrap(_core.to_device(self._h, "cpu")).numpy()
        raw, offset, strides = self._h._raw()
        return _np.ndarray(self.shape, dtype=self.dtype, buffer=raw, offset=offset, strides=strides)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if copy:
            a = a.copy()
        return a if dtype is None else a.astype(dtype, copy=builtins.bool(copy))

    def item(self, *args):
        return self.numpy().item(*args)

    def tolist(self):
        return self.numpy().tolist()

    def __repr__(self):
        body = _np.array2string(self.numpy(), separator=", ", prefix="Array(")
        return f"Array({body}, dtype={self.dtype})"

    def __str__(self):
        return str(self.numpy())

    def __format__(self, spec):
        return format(self.numpy() if self.ndim else self.item(), spec)

    def _scalar(self, conv, what):
        if self.size != 1:
            raise TypeError(f"only length-1 arrays can be converted to Python {what}s")
        return conv(self.numpy().reshape(()).item() if what != "bool" else self.numpy().reshape(()))

    def __bool__(self):
        if self.size != 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()")
        return builtins.bool(self.numpy().reshape(()))

    def __float__(self):
        return self._scalar(builtins.float, "float")

    def __int__(self):
        return self._scalar(builtins.int, "int")

    def __complex__(self):
        return self._scalar(builtins.complex, "complex")

    def __index__(self):
        if self.dtype.kind not in "iu" or self.ndim != 0:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return builtins.int(self.numpy())

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        return (_ns().asarray, (_np.array(self.numpy()),))

    # ---- interop ----
    def __array_namespace__(self, api_version=None):
        if api_version not in (None, "2022.12", "2023.12"):
            raise ValueError(f"ember implements the Array API 2023.12, not {api_version}")
        return _ns()

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        """Exports the evaluated values. Zero-copy and flagged read-only for DLPack >= 1.0 consumers
        (ember's versions must not be written behind its back); older consumers get a copy."""
        if self.device == "cuda":  # zero-copy kDLCUDA export (ember.cuda._interop)
            from .cuda._interop import to_dlpack

            return to_dlpack(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)
        a = self.numpy()
        versioned = max_version is not None and tuple(max_version) >= (1, 0)
        if copy or not versioned:
            a = a.copy()
        if max_version is None:
            return a.__dlpack__(stream=stream)
        return a.__dlpack__(stream=stream, max_version=max_version, copy=copy)

    def __dlpack_device__(self):
        if self.device == "cuda":
            from .cuda._interop import dlpack_device

            return dlpack_device(self)
        return (1, 0)  # kDLCPU

    @property
    def __cuda_array_interface__(self):
        """Version 3 of the CUDA Array Interface, for cuda arrays (AttributeError on other devices)."""
        if self.device != "cuda":
            raise AttributeError(f"__cuda_array_interface__: the array is on the {self.device} device, not cuda")
        from .cuda._interop import cuda_array_interface

        return cuda_array_interface(self)

    def to_device(self, device, stream=None):
        """This array on `device` ("cpu", "pim"): an explicit bulk transfer (self if already there)."""
        if device is None or device == self.device:
            return self
        return _wrap(_core.to_device(self._h, device))

    to = to_device

    # ---- indexing ----
    def __getitem__(self, key):
        return _wrap(_core.getitem(self._h, _key(key)))

    def __setitem__(self, key, value):  # host indices and values follow self's device (the core)
        _core.setitem(self._h, _key(key), _operand(value))

    # ---- methods ----
    def astype(self, dtype, copy=True):
        return _wrap(_core.astype(self._h, _dtypes.name_of(dtype), copy))

    def copy(self):
        return _wrap(_core.copy(self._h))

    def reshape(self, *shape, order="C"):
        if order != "C":
            raise NotImplementedError("ember.reshape supports order='C' only")
        if len(shape) == 1 and not isinstance(shape[0], builtins.int):
            shape = shape[0]
        return _wrap(_core.reshape(self._h, shape))

    def transpose(self, *axes):
        if not axes or axes == (None,):
            return self.T
        if len(axes) == 1 and not isinstance(axes[0], builtins.int):
            axes = axes[0]
        return _wrap(_core.permute_dims(self._h, list(axes)))

    def flatten(self):
        return self.reshape(-1).copy()

    def ravel(self):
        return self.reshape(-1)

    def fill(self, value):
        self[...] = value

    def __eq__(self, other):
        return _binary("equal", self, other)

    def __ne__(self, other):
        return _binary("not_equal", self, other)

    __hash__ = None


def _binary(name, a, b):
    try:
        ob = _operand(b)
    except TypeError:
        return NotImplemented
    return _wrap(getattr(_core, name)(_operand(a), ob))


def _make_binary(name, reflected=False):
    if reflected:
        def method(self, other):
            try:
                oa = _operand(other)
            except TypeError:
                return NotImplemented
            return _wrap(getattr(_core, name)(oa, self._h))
    else:
        def method(self, other):
            return _binary(name, self, other)
    return method


def _make_inplace(name):
    def method(self, other):
        result = _binary(name, self, other)
        if result is NotImplemented:
            return result
        if result.dtype != self.dtype and not _core.can_cast(result._h.dtype, self._h.dtype, "same_kind"):
            raise TypeError(f"Cannot cast ufunc '{name}' output from dtype('{result.dtype}') to "
                            f"dtype('{self.dtype}') with casting rule 'same_kind'")
        if result.shape != self.shape:
            raise ValueError(f"non-broadcastable output operand with shape {self.shape} doesn't match "
                             f"the broadcast shape {result.shape}")
        self[...] = result
        return self
    return method


_BINARY_OPERATORS = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide", "floordiv": "floor_divide",
    "mod": "remainder", "pow": "pow", "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor",
    "lshift": "bitwise_left_shift", "rshift": "bitwise_right_shift", "matmul": "matmul",
}
for _py, _op in _BINARY_OPERATORS.items():
    if _op == "matmul":
        continue  # defined with linalg
    setattr(Array, f"__{_py}__", _make_binary(_op))
    setattr(Array, f"__r{_py}__", _make_binary(_op, reflected=True))
    setattr(Array, f"__i{_py}__", _make_inplace(_op))
for _py, _op in {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}.items():
    setattr(Array, f"__{_py}__", _make_binary(_op))

# The same operators as direct C++ calls (creating a node is then as cheap as NumPy's eager op); the
# Python methods above stay as their fallback for operands other than arrays and Python scalars.
for _py, _op in {**_BINARY_OPERATORS, "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
                 "eq": "equal", "ne": "not_equal"}.items():
    if _op == "matmul":
        continue
    _core._bind_operator(Array, f"__{_py}__", _op, False, getattr(Array, f"__{_py}__"))
    if _py in _BINARY_OPERATORS:
        _core._bind_operator(Array, f"__r{_py}__", _op, True, getattr(Array, f"__r{_py}__"))

Array.__matmul__ = lambda self, o: _ns().matmul(self, o)
Array.__rmatmul__ = lambda self, o: _ns().matmul(o, self)
Array.__neg__ = lambda self: _wrap(_core.negative(self._h))
Array.__pos__ = lambda self: _wrap(_core.positive(self._h))
Array.__abs__ = lambda self: _wrap(_core.abs(self._h))
Array.__invert__ = lambda self: _wrap(_core.bitwise_invert(self._h))
Array.__divmod__ = lambda self, o: (self // o, self % o)
Array.__rdivmod__ = lambda self, o: (o // self, o % self)


def _delegate(name):
    def method(self, *args, **kwargs):
        return getattr(_ns(), name)(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Same as ember.{name}(self, ...)."
    return method


# Methods that are the namespace function applied to self (numpy.ndarray has the same).
for _name in ("sum", "prod", "mean", "std", "var", "min", "max", "argmin", "argmax", "all", "any", "cumsum",
              "cumprod", "clip", "round", "squeeze", "swapaxes", "nonzero", "argsort", "conj", "conjugate",
              "diagonal", "trace", "repeat", "take", "dot", "searchsorted", "ptp"):
    setattr(Array, _name, _delegate(_name))


def _sort_in_place(self, axis=-1, kind=None, order=None):
    """Sorts in place, as numpy.ndarray.sort."""
    self[...] = _ns().sort(self, axis=axis)


Array.sort = _sort_in_place
