"""User CUDA kernels, as PyCUDA and CuPy users write them.

    mod = em.cuda.RawModule(code=src, options=("-std=c++17",), name_expressions=("axpy<float>",))
    k = mod.get_function("axpy<float>")
    k((blocks,), (256,), (x, y, np.float32(2.0), np.int32(n)))      # grid, block, args

    add = em.cuda.ElementwiseKernel("T x, T y", "T z", "z = x + y", "add")
    z = add(x, y)                                                      # broadcast, output allocated
    l2 = em.cuda.ReductionKernel("T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", "l2norm")

Raw kernel arguments: an ember cuda array passes its first element's address (strides are the
kernel's business, as in CuPy); objects exposing __cuda_array_interface__ or CUDA DLPack are
imported zero-copy first. Scalars are passed by value: a Python bool as `bool`, int as `long long`
(int64), float as `double`, complex as complex128; NumPy scalars keep their dtype (np.float32 ->
`float`, np.int32 -> `int`). Anything else raises TypeError. Arrays passed to a kernel may be
written by it: ember first gives a storage that other values still read a private copy, so those
values stay as they were (see docs/cuda_device.md).

Code is compiled with NVRTC for the GPU's architecture on first use and cached in memory and on
disk (EMBER_CUDA_CACHE_DIR); compile errors raise CompileError (a RuntimeError) whose .log holds
NVRTC's log. .compile(arch="sm_90") compiles without a GPU.
"""
import builtins

import numpy as _np

from .. import _core

__all__ = ["RawModule", "RawKernel", "ElementwiseKernel", "ReductionKernel", "CompileError"]

_cuda = getattr(_core, "cuda", None)
CompileError = getattr(_cuda, "CompileError", None) or type("CompileError", (RuntimeError,), {})
_DEFAULT_CHECK_ARCH = "sm_90"  # arch for compile checks where no GPU says which (as EMBER_NVRTC_CHECK)


def _require_built():
    if _cuda is None:
        from . import why_unavailable

        raise RuntimeError("the cuda device is unavailable: " + why_unavailable())


def _arch(arch):
    if arch is not None:
        if not isinstance(arch, str) or not arch.startswith("sm_"):
            raise ValueError(f"arch must be a real architecture such as 'sm_90', not {arch!r}")
        return arch
    from . import is_available, current_device

    return _cuda.device_arch(current_device()) if is_available() else _DEFAULT_CHECK_ARCH


def _options(options):
    if isinstance(options, str):
        options = (options,)
    options = tuple(options)
    for o in options:
        if not isinstance(o, str):
            raise TypeError(f"compiler options must be strings, not {type(o).__name__}")
    return list(options)


def _dims(value, what):
    """grid/block: an int or a tuple of 1 to 3 positive ints."""
    dims = (value,) if isinstance(value, (builtins.int, _np.integer)) else value
    if not isinstance(dims, (tuple, list)) or not 1 <= len(dims) <= 3 or any(
            isinstance(d, builtins.bool) or not isinstance(d, (builtins.int, _np.integer)) or d < 1 for d in dims):
        raise ValueError(f"{what} must be a positive int or a tuple of 1 to 3 positive ints, not {value!r}")
    if any(d >= 2**32 for d in dims):
        raise ValueError(f"{what} {value!r}: each dimension must be below 2**32")
    return [builtins.int(d) for d in dims]


def _stream_handle(stream):
    """A CUstream handle (0 = ember's stream) from None, an int, or a CuPy/PyTorch/`__cuda_stream__` stream."""
    if stream is None:
        return 0
    if hasattr(stream, "__cuda_stream__"):
        return builtins.int(stream.__cuda_stream__()[1])
    for attr in ("ptr", "cuda_stream", "handle"):
        if hasattr(stream, attr) and isinstance(getattr(stream, attr), builtins.int):
            return getattr(stream, attr)
    if isinstance(stream, builtins.int) and not isinstance(stream, builtins.bool) and stream >= 0:
        return stream
    raise TypeError(f"stream must be None, a CUstream handle (int) or a stream object, not {type(stream).__name__}")


_PY_SCALARS = {builtins.bool: "bool", builtins.int: "int64", builtins.float: "float64", builtins.complex: "complex128"}


def _typed_scalar(x):
    """(NumPy scalar) for Python and NumPy scalars; None for anything else."""
    if type(x) in _PY_SCALARS:
        return _np.array(x, dtype=_PY_SCALARS[type(x)])[()]  # OverflowError for ints past int64
    if isinstance(x, _np.generic) and x.dtype.kind in "biufc":
        return x
    return None


def _device_array(x, where):
    """An ember cuda array for a kernel argument; TypeError naming `where` for host data."""
    from .._array import Array

    if isinstance(x, Array):
        if x.device != "cuda":
            raise TypeError(f"{where} is an ember array on the {x.device} device; kernels take cuda arrays "
                            f"(x.to('cuda'))")
        return x
    if isinstance(x, _np.ndarray):
        raise TypeError(f"{where} is a host NumPy array; kernels take cuda arrays (em.asarray(a, device='cuda'))")
    from ._interop import is_cuda_object, import_cuda_object

    if is_cuda_object(x):
        return import_cuda_object(x)
    return None


class RawModule:
    """CUDA C++ source compiled with NVRTC at first use (cached); get_function(name) gives a kernel.

    name_expressions: C++ template instances ("axpy<float>") whose lowered names NVRTC reports, so
    get_function("axpy<float>") finds them (such modules are cached in memory only)."""

    def __init__(self, code=None, *, options=(), name_expressions=(), path=None):
        if (code is None) == (path is None):
            raise TypeError("RawModule needs exactly one of code= or path=")
        if path is not None:
            with open(path) as f:
                code = f.read()
        if not isinstance(code, str):
            raise TypeError(f"code must be a str of CUDA C++, not {type(code).__name__}")
        _require_built()
        self.code = code
        self.options = tuple(_options(options))
        self.name_expressions = tuple(name_expressions)
        for n in self.name_expressions:
            if not isinstance(n, str):
                raise TypeError(f"name_expressions must be strings, not {type(n).__name__}")
        self._core = _cuda._RawModule(code, list(self.options), list(self.name_expressions))

    def compile(self, arch=None):
        """Compiles for `arch` ("sm_90"; default: the current GPU's, or sm_90 without one) and returns
        the CUBIN bytes. CompileError with NVRTC's log on a compile error."""
        return self._core.compile(_arch(arch))[0]

    def lowered_names(self, arch=None):
        """{name expression: mangled symbol} as NVRTC lowered them for `arch`."""
        return dict(self._core.compile(_arch(arch))[1])

    def get_function(self, name):
        """The kernel `name` (an extern "C" name or one of name_expressions). With a GPU the module is
        compiled and loaded now and a missing name raises ValueError."""
        from . import is_available

        if is_available():
            self._core.check_function(name)
        return RawKernel._of_module(self, name)


class RawKernel:
    """One kernel: RawKernel(code, name, options=()) or RawModule.get_function(name).
    Call as kernel(grid, block, args, shared_mem=0, stream=None)."""

    def __init__(self, code, name, options=()):
        if not isinstance(name, str) or not name:
            raise TypeError("RawKernel needs the kernel's name (a non-empty str)")
        self._module = RawModule(code=code, options=options)
        self.name = name

    @classmethod
    def _of_module(cls, module, name):
        k = cls.__new__(cls)
        k._module = module
        k.name = name
        return k

    @property
    def code(self):
        return self._module.code

    @property
    def options(self):
        return self._module.options

    def compile(self, arch=None):
        """The CUBIN bytes for `arch` (see RawModule.compile)."""
        return self._module.compile(arch)

    def __call__(self, grid, block, args, *, shared_mem=0, stream=None):
        grid = _dims(grid, "grid")
        block = _dims(block, "block")
        if isinstance(shared_mem, builtins.bool) or not isinstance(shared_mem, (builtins.int, _np.integer)) \
                or not 0 <= shared_mem < 2**32:
            raise ValueError(f"shared_mem must be a byte count >= 0, not {shared_mem!r}")
        if not isinstance(args, (tuple, list)):
            raise TypeError(f"args must be a tuple of kernel arguments, not {type(args).__name__}")
        packed = []
        for k, x in enumerate(args):
            s = _typed_scalar(x)
            if s is not None:
                packed.append(s.tobytes())
                continue
            a = _device_array(x, f"argument {k}")
            if a is None:
                raise TypeError(f"argument {k} has type {type(x).__name__}: kernels take cuda arrays, Python "
                                f"scalars and NumPy scalars")
            packed.append(a._h)
        handle = _stream_handle(stream)
        from . import _require

        _require()
        self._module._core.launch(self.name, grid, block, packed, builtins.int(shared_mem), handle)


class _UserKernelBase:
    def __init__(self, core, name, options):
        self._k = core
        self.name = name
        self.options = tuple(options)
        self.nin = core.nin
        self.nout = core.nout
        self.nargs = self.nin + self.nout

    @property
    def params(self):
        """[(name, type, raw, is_output)] as parsed."""
        return [tuple(p) for p in self._k.params]

    def _split(self, args, for_launch):
        from .._array import Array
        from .._creation import asarray

        if len(args) not in (self.nin, self.nargs):
            raise TypeError(f"{self.name} takes {self.nin} inputs (or {self.nargs} with outputs), got {len(args)}")
        inputs, outputs = [], []
        for k, x in enumerate(args):
            where = f"argument {k}" if k < self.nin else f"output {k - self.nin}"
            s = _typed_scalar(x) if k < self.nin else None
            if s is not None:
                inputs.append((s.tobytes(), s.dtype.name))
                continue
            if for_launch:
                a = _device_array(x, where)
                if a is None:
                    raise TypeError(f"{where} has type {type(x).__name__}: kernels take cuda arrays, Python scalars "
                                    f"and NumPy scalars")
            else:  # rendering only: arrays of any device (or array-likes) give dtypes and shapes
                a = x if isinstance(x, Array) else asarray(x)
            (inputs if k < self.nin else outputs).append(a._h)
        return inputs, outputs


class ElementwiseKernel(_UserKernelBase):
    """ElementwiseKernel(in_params, out_params, operation, name="kernel", preamble="", options=()).

    Parameters in CuPy's syntax ("float32 x, T y, raw T z"; one-letter types are placeholders bound
    from the arguments' dtypes). `operation` is C++ run once per element of the inputs' broadcast
    shape, with the parameters by name, `i` the element's index, `_ind.size()` the element count, and
    raw parameters indexed by the user (z[k], row-major over z's own shape). Call with the inputs
    (then optionally the outputs); size= gives the loop size when no array does."""

    def __init__(self, in_params, out_params, operation, name="kernel", reduce_dims=True, preamble="",
                 options=(), **kwargs):
        if kwargs:
            raise TypeError(f"ElementwiseKernel got unexpected keyword arguments {sorted(kwargs)}")
        _require_built()
        core = _cuda._UserKernel.elementwise(in_params, out_params, operation, name, preamble, _options(options))
        super().__init__(core, name, _options(options))
        self.in_params, self.out_params, self.operation, self.preamble = in_params, out_params, operation, preamble

    def _size(self, size):
        if size is None:
            return -1
        if isinstance(size, builtins.bool) or not isinstance(size, (builtins.int, _np.integer)) or size < 0:
            raise ValueError(f"size must be an int >= 0, not {size!r}")
        return builtins.int(size)

    def source(self, *args, size=None):
        """The CUDA C++ this call compiles (arrays of any device or array-likes; nothing runs)."""
        inputs, outputs = self._split(args, False)
        return self._k.source(inputs, outputs, self._size(size), None, False)

    def _prepare(self, *args, size=None):
        """The bound call as the launcher sees it (source, shapes, per-parameter strides); for tests."""
        inputs, outputs = self._split(args, False)
        return dict(self._k.prepare(inputs, outputs, self._size(size), None, False))

    def compile(self, *args, size=None, arch=None):
        """Renders this call and compiles it for `arch` (no GPU needed); returns the CUBIN's size."""
        return _cuda.compile_for(self.source(*args, size=size), _arch(arch), list(self.options))

    def __call__(self, *args, size=None):
        inputs, outputs = self._split(args, True)
        from . import _require

        _require()
        out = self._k.call(inputs, outputs, self._size(size), None, False)
        return _wrap_outputs(out)


class ReductionKernel(_UserKernelBase):
    """ReductionKernel(in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
    name="reduce_kernel", reduce_type=None, preamble="", options=()).

    Each element of the inputs' broadcast shape is mapped with `map_expr`; values are folded with
    `reduce_expr` over `a` and `b` (identity: the start value as C++ text, or None); `post_map_expr`
    writes the outputs from `a`. reduce_type is the accumulator's type (default: the first
    output's). Call with the inputs (then optionally the outputs), axis= (None: all) and keepdims=."""

    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name="reduce_kernel",
                 reduce_type=None, reduce_dims=True, preamble="", options=()):
        _require_built()
        if identity is not None and not isinstance(identity, str):
            identity = repr(identity) if isinstance(identity, (builtins.int, builtins.float)) else None
            if identity is None:
                raise TypeError("identity must be C++ text (e.g. '0'), a number or None")
        core = _cuda._UserKernel.reduction(in_params, out_params, map_expr, reduce_expr, post_map_expr,
                                           identity or "", name, reduce_type or "", preamble, _options(options))
        super().__init__(core, name, _options(options))
        self.identity, self.reduce_type = identity, reduce_type

    @staticmethod
    def _axis(axis):
        if axis is None:
            return None
        axes = (axis,) if isinstance(axis, (builtins.int, _np.integer)) and not isinstance(axis, builtins.bool) \
            else axis
        if not isinstance(axes, (tuple, list)) or any(
                isinstance(a, builtins.bool) or not isinstance(a, (builtins.int, _np.integer)) for a in axes):
            raise TypeError(f"axis must be None, an int or a tuple of ints, not {axis!r}")
        return [builtins.int(a) for a in axes]

    def source(self, *args, axis=None, keepdims=False):
        inputs, outputs = self._split(args, False)
        return self._k.source(inputs, outputs, -1, self._axis(axis), builtins.bool(keepdims))

    def _prepare(self, *args, axis=None, keepdims=False):
        inputs, outputs = self._split(args, False)
        return dict(self._k.prepare(inputs, outputs, -1, self._axis(axis), builtins.bool(keepdims)))

    def compile(self, *args, axis=None, keepdims=False, arch=None):
        return _cuda.compile_for(self.source(*args, axis=axis, keepdims=keepdims), _arch(arch), list(self.options))

    def __call__(self, *args, axis=None, keepdims=False):
        inputs, outputs = self._split(args, True)
        from . import _require

        _require()
        out = self._k.call(inputs, outputs, -1, self._axis(axis), builtins.bool(keepdims))
        return _wrap_outputs(out)


def _wrap_outputs(out):
    from .._array import _wrap

    arrays = [_wrap(h) for h in out]
    return arrays[0] if len(arrays) == 1 else tuple(arrays)
