"""ember.linalg: the Array API linalg extension and numpy.linalg's usual functions. Factorizations
are one graph node each, evaluated by the device over the whole stack of matrices (LAPACK on the
cpu); compositions (norms, pinv, rank, powers) are built from them and the core's products."""
import builtins
import math
import operator
from collections import namedtuple

import numpy as _np

from .. import _core, _dtypes
from .._array import Array, _wrap
from .._manipulation import matrix_transpose  # noqa: F401  (re-exported, Array API)
from .._linalg_functions import (  # noqa: F401  (re-exported, Array API)
    _h, _sum_last, cross as _np_cross, matmul, outer, tensordot, trace as _trace, vecdot,
)

LinAlgError = _np.linalg.LinAlgError

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
           "matrix_power", "matrix_rank", "matrix_transpose", "norm", "outer", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm"]


def cholesky(x, /, *, upper=False):
    """The Cholesky factor L (x = L L^H), or U = L^H when upper=True."""
    return _wrap(_core.cholesky(_h(x), builtins.bool(upper)))


def det(x, /):
    return _wrap(_core.det(_h(x)))


def slogdet(x, /):
    """(sign, log|det|); a singular matrix gives (0, -inf)."""
    s, l = _core.slogdet(_h(x))
    return SlogdetResult(_wrap(s), _wrap(l))


def eigh(x, /, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors (columns) of Hermitian matrices (lower triangle read)."""
    _check_uplo(UPLO)
    w, v = _core.eigh(_h(x) if UPLO == "L" else _upper_as_lower(x))
    return EighResult(_wrap(w), _wrap(v))


def eigvalsh(x, /, UPLO="L"):
    _check_uplo(UPLO)
    return _wrap(_core.eigvalsh(_h(x) if UPLO == "L" else _upper_as_lower(x)))


def _check_uplo(uplo):
    if uplo not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")


def _upper_as_lower(x):
    """The conjugate transpose: its lower triangle holds x's upper triangle."""
    return _core.conj_values(_core.matrix_transpose(_h(x)))


def inv(x, /):
    return _wrap(_core.inv(_h(x)))


def solve(x1, x2, /):
    """Solves x1 @ x = x2; x2 is a vector only when it is 1-d, otherwise a stack of matrices (Array API)."""
    return _wrap(_core.solve(_h(x1), _h(x2)))


def qr(x, /, mode="reduced"):
    """QR factorization; mode 'reduced', 'complete' or 'r' (R only)."""
    if mode not in ("reduced", "complete", "r"):
        if mode == "raw":
            raise NotImplementedError("ember.linalg.qr: mode='raw' is not supported")
        raise ValueError(f"Unrecognized mode '{mode}'")
    q, r = _core.qr(_h(x), mode == "complete")
    return _wrap(r) if mode == "r" else QRResult(_wrap(q), _wrap(r))


def svd(x, /, full_matrices=True, compute_uv=True, hermitian=False):
    """U, S, Vh with x = U diag(S) Vh (S descending); compute_uv=False gives S."""
    if not compute_uv:
        return svdvals(x)
    u, s, vh = _core.svd(_h(x), builtins.bool(full_matrices))
    return SVDResult(_wrap(u), _wrap(s), _wrap(vh))


def svdvals(x, /):
    return _wrap(_core.svdvals(_h(x)))


def _eps(h):
    return float(_np.finfo(_dtypes.from_name(h.dtype)).eps)


def _per_matrix(tol):
    """A tolerance as an operand that broadcasts against the singular values (..., k)."""
    if isinstance(tol, (Array, _np.ndarray)):
        return _core.expand_dims(_h(tol), -1)
    return float(tol)


def _inexact(h):
    return h if h.dtype.startswith(("float", "complex")) else _core.astype(h, "float64", False)


def pinv(x, /, rcond=None, hermitian=False, *, rtol=None):
    """Moore-Penrose pseudo-inverse from the SVD; singular values at most rtol * max(S) are dropped
    (rtol: max(M, N) * eps by default, as the Array API; rcond is NumPy's older name)."""
    h = _inexact(_h(x))
    if h.ndim < 2:
        raise LinAlgError(f"{h.ndim}-dimensional array given. Array must be at least two-dimensional")
    m, n = h.shape[-2:]
    if rcond is not None and rtol is not None:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    tol = rcond if rcond is not None else rtol
    if tol is None:
        tol = builtins.max(m, n) * _eps(h)
    if m == 0 or n == 0:
        return _wrap(_core.zeros(tuple(h.shape[:-2]) + (n, m), h.dtype))
    u, s, vh = _core.svd(h, False)
    smax = _core.vector_norm(s, [-1], True, math.inf)
    cutoff = _core.multiply(_per_matrix(tol), smax)
    if cutoff.dtype != s.dtype:
        cutoff = _core.astype(cutoff, s.dtype, False)
    large = _core.greater(s, cutoff)
    sinv = _core.where(large, _core.divide(_core.ones((), s.dtype), _core.where(large, s, 1)), 0)
    if sinv.dtype != s.dtype:
        sinv = _core.astype(sinv, s.dtype, False)
    uh = _core.conj_values(_core.matrix_transpose(u))
    scaled = _core.multiply(_core.expand_dims(sinv, -1), uh)
    return _wrap(_core.matmul(_core.conj_values(_core.matrix_transpose(vh)), scaled))


def matrix_rank(x, /, tol=None, hermitian=False, *, rtol=None):
    """Number of singular values above tol (default: max(S) * max(M, N) * eps, or rtol * max(S))."""
    h = _h(x)
    if h.ndim < 2:
        return _wrap(_core.astype(_core.greater(_core.vector_norm(_inexact(h), None, False, 0.0), 0), "int64", False))
    h = _inexact(h)
    s = _core.svdvals(h)
    if tol is None:
        if rtol is None:
            rtol = builtins.max(h.shape[-2:]) * _eps(h)
        tol = _core.multiply(_core.vector_norm(s, [-1], True, math.inf), _per_matrix(rtol))
    else:
        tol = _per_matrix(tol)
    return _wrap(_sum_last(_core.astype(_core.greater(s, tol), "int64", False)))


def matrix_power(a, n):
    """a raised to the integer power n by repeated squaring (n < 0 inverts first)."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError("exponent must be an integer") from None
    h = _h(a)
    if h.ndim < 2:
        raise LinAlgError(f"{h.ndim}-dimensional array given. Array must be at least two-dimensional")
    if h.shape[-1] != h.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    if n == 0:
        eye = _core.eye(h.shape[-1], h.shape[-1], 0, h.dtype)
        return _wrap(_core.copy(_core.broadcast_to(eye, h.shape)))
    if n < 0:
        h, n = _core.inv(h), -n
    result = None
    while n:
        if n & 1:
            result = h if result is None else _core.matmul(result, h)
        n >>= 1
        if n:
            h = _core.matmul(h, h)
    return _wrap(result)


def diagonal(x, /, *, offset=0):
    """The diagonal of the last two axes (a read-only view)."""
    return _wrap(_core.diagonal(_h(x), operator.index(offset), -2, -1))


def trace(x, /, *, offset=0, dtype=None):
    return _trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-vectors along `axis` (Array API: size 3 only)."""
    a, b = _h(x1), _h(x2)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ValueError(f"cross: axis {axis} must have size 3 in both inputs (shapes {a.shape} and {b.shape})")
    return _np_cross(x1, x2, axis=axis)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """(sum |x|^ord)^(1/ord) over `axis` (an int, a tuple, or None for all); ord may be inf, -inf or 0."""
    h = _h(x)
    axes = None if axis is None else _axes(axis)
    return _wrap(_core.vector_norm(h, axes, builtins.bool(keepdims), float(ord)))


def _axes(axis):
    return [operator.index(axis)] if not isinstance(axis, (tuple, list)) else [operator.index(a) for a in axis]


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Norm of the matrices in the last two axes: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    h = _h(x)
    if h.ndim < 2:
        raise ValueError(f"matrix_norm needs at least 2 dimensions, got shape {h.shape}")
    vn = _core.vector_norm
    if ord == "fro":
        r = vn(h, [-2, -1], False, 2.0)
    elif ord == "nuc":
        r = vn(_core.svdvals(_inexact(h)), [-1], False, 1.0)
    elif ord in (2, -2):
        r = vn(_core.svdvals(_inexact(h)), [-1], False, math.inf if ord == 2 else -math.inf)
    elif ord in (1, -1):
        r = vn(vn(h, [-2], False, 1.0), [-1], False, math.inf * ord)
    elif ord in (math.inf, -math.inf):
        r = vn(vn(h, [-1], False, 1.0), [-1], False, ord)
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices")
    if keepdims:
        r = _core.reshape(r, tuple(r.shape) + (1, 1))
    return _wrap(r)


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms over one axis, matrix norms over two, the 2-norm of the
    flattened array when both ord and axis are None."""
    h = _h(x)
    nd = h.ndim
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            return vector_norm(x, axis=None, keepdims=keepdims)
        if nd not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(nd))
    axes = _axes(axis)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        return _wrap(_core.vector_norm(h, axes, builtins.bool(keepdims), 2.0 if ord is None else float(ord)))
    if len(axes) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    r0, r1 = (a if a >= 0 else a + nd for a in axes)
    if not (0 <= r0 < nd and 0 <= r1 < nd):
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {nd}")
    if r0 == r1:
        raise ValueError("Duplicate axes given.")
    ord = "fro" if ord in (None, "f") else ord
    r = matrix_norm(_wrap(_core.moveaxis(h, [r0, r1], [-2, -1])), ord=ord)
    if keepdims:
        shape = list(h.shape)
        shape[r0] = shape[r1] = 1
        r = r.reshape(tuple(shape))
    return r
