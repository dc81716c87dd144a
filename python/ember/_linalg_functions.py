"""Matrix products at the top level of the namespace (numpy.matmul, dot, vdot, inner, outer,
tensordot, vecdot, einsum, kron, cross, trace, diagonal). All lower to the core's batched matmul
primitive, views and elementwise ops; nothing loops over elements in Python."""
import builtins
import math
import operator

from . import _core, _dtypes
from ._array import Array, _wrap

__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "vecdot", "einsum", "kron", "cross", "trace",
           "diagonal"]


def _h(x):
    """The core handle of an array-like (Python scalars become 0-d arrays of their default dtype)."""
    if isinstance(x, Array):
        return x._h
    from ._creation import asarray

    return asarray(x)._h


def _finish(result, out):
    if out is None:
        return result
    if not isinstance(out, Array):
        raise TypeError("out= must be an ember array")
    if out.shape != result.shape:
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match the result's "
                         f"shape {result.shape}")
    out[...] = result
    return out


def matmul(x1, x2, /, out=None):
    """Matrix product with NumPy's rules: 1-d operands are promoted (and the added axis removed),
    leading dims broadcast, integer dtypes stay integer, bool gives OR-of-ANDs."""
    return _finish(_wrap(_core.matmul(_h(x1), _h(x2))), out)


def _sum_dtype(name):
    """The dtype NumPy's sum gives (small ints widen to the platform int)."""
    if name in ("bool", "int8", "int16", "int32"):
        return "int64"
    if name in ("uint8", "uint16", "uint32"):
        return "uint64"
    return name


def _sum_last(h):
    """Sum over the last axis as a product with a vector of ones (the dtype is kept; bool gives any)."""
    return _core.matmul(h, _core.ones((h.shape[-1],), h.dtype))


def _sum_axes(h, axes):
    """Sum over `axes` (keeping the dtype), lowered to one matmul with ones."""
    if not axes:
        return h
    nd = h.ndim
    keep = [i for i in range(nd) if i not in axes]
    h = _core.permute_dims(h, keep + list(axes))
    lead = tuple(h.shape[:len(keep)])
    return _sum_last(_core.reshape(h, lead + (math.prod(h.shape[len(keep):]),)))


def _not_aligned(a, b, ia, ib):
    raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {a.shape[ia]} (dim {ia}) != "
                     f"{b.shape[ib]} (dim {ib})")


def dot(a, b, out=None):
    """numpy.dot: products of 0-d operands, inner product of vectors, matrix product of matrices,
    and for N-d a sum over the last axis of a and the second-to-last of b."""
    a, b = _h(a), _h(b)
    if a.ndim == 0 or b.ndim == 0:
        r = _core.multiply(a, b)
    elif b.ndim <= 2:
        ib = 0 if b.ndim == 1 else b.ndim - 2
        if a.shape[-1] != b.shape[ib]:
            _not_aligned(a, b, a.ndim - 1, ib)
        r = _core.matmul(a, b)
    else:
        if a.shape[-1] != b.shape[-2]:
            _not_aligned(a, b, a.ndim - 1, b.ndim - 2)
        r = _core.tensordot(a, b, [a.ndim - 1], [b.ndim - 2])
    return _finish(_wrap(r), out)


def vdot(a, b, /):
    """Dot product of the flattened arrays, conjugating the first."""
    a, b = _h(a), _h(b)
    if a.size != b.size:
        raise ValueError(f"vdot: cannot take the dot product of arrays of {a.size} and {b.size} elements "
                         f"(shapes {a.shape} and {b.shape})")
    return _wrap(_core.matmul(_core.reshape(a, (-1,)), _core.reshape(b, (-1,)), True))


def inner(a, b, /):
    """Sum of products over the last axes of a and b."""
    a, b = _h(a), _h(b)
    if a.ndim == 0 or b.ndim == 0:
        return _wrap(_core.multiply(a, b))
    if a.shape[-1] != b.shape[-1]:
        _not_aligned(a, b, a.ndim - 1, b.ndim - 1)
    return _wrap(_core.tensordot(a, b, [a.ndim - 1], [b.ndim - 1]))


def outer(a, b, out=None):
    """outer(a, b)[i, j] = a.ravel()[i] * b.ravel()[j]."""
    a, b = _core.reshape(_h(a), (-1, 1)), _core.reshape(_h(b), (1, -1))
    return _finish(_wrap(_core.multiply(a, b)), out)


def _axes_list(ax):
    return [operator.index(ax)] if not isinstance(ax, (list, tuple)) else [operator.index(i) for i in ax]


def tensordot(a, b, /, *, axes=2):
    """Sums products over the last `axes` axes of a and the first of b, or over the axes listed in a pair."""
    a, b = _h(a), _h(b)
    if isinstance(axes, (list, tuple)):
        if len(axes) != 2:
            raise ValueError("tensordot: axes must be an integer or a pair of sequences of axes")
        axa, axb = _axes_list(axes[0]), _axes_list(axes[1])
    else:
        n = operator.index(axes)
        if n < 0:
            raise ValueError(f"tensordot: axes must be a non-negative integer, got {n}")
        if n > a.ndim or n > b.ndim:
            raise ValueError(f"tensordot: axes={n} is more than the dimensions of shapes {a.shape} and {b.shape}")
        axa, axb = list(range(a.ndim - n, a.ndim)), list(range(n))
    return _wrap(_core.tensordot(a, b, axa, axb))


def vecdot(x1, x2, /, *, axis=-1):
    """Dot product of vectors along `axis` (conjugating x1), broadcasting the other dims."""
    return _wrap(_core.vecdot(_h(x1), _h(x2), operator.index(axis)))


def kron(a, b):
    """Kronecker product: the blocks a[i, j] * b."""
    a, b = _h(a), _h(b)
    nd = builtins.max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    a = _core.reshape(a, tuple(x for d in sa for x in (d, 1)))
    b = _core.reshape(b, tuple(x for d in sb for x in (1, d)))
    return _wrap(_core.reshape(_core.multiply(a, b), tuple(x * y for x, y in zip(sa, sb))))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of axis1/axis2 (moved to the end) as a read-only view, as numpy.diagonal."""
    return _wrap(_core.diagonal(_h(a), operator.index(offset), operator.index(axis1), operator.index(axis2)))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Sum along a diagonal, with numpy.sum's default dtype (small integers widen)."""
    d = _core.diagonal(_h(a), operator.index(offset), operator.index(axis1), operator.index(axis2))
    name = _sum_dtype(d.dtype) if dtype is None else _dtypes.name_of(dtype)
    if name != d.dtype:
        d = _core.astype(d, name, False)
    return _finish(_wrap(_sum_last(d)), out)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (and the z component of 2-vectors) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _wrap(_core.moveaxis(_h(a), [axisa], [-1]))
    b = _wrap(_core.moveaxis(_h(b), [axisb], [-1]))
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    def comp(x, i):
        return x[..., i] if i < x.shape[-1] else None
    a0, a1, a2 = (comp(a, i) for i in range(3))
    b0, b1, b2 = (comp(b, i) for i in range(3))
    z = a0 * b1 - a1 * b0
    if a2 is None and b2 is None:
        return z
    if a2 is None:  # a = (a0, a1, 0)
        parts = [a1 * b2, -(a0 * b2), z]
    elif b2 is None:  # b = (b0, b1, 0)
        parts = [-(a2 * b1), a2 * b0, z]
    else:
        parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z]
    res_shape = _core.broadcast_arrays([p._h for p in parts])[0].shape
    from ._creation import empty

    out = empty(tuple(res_shape) + (3,), dtype=z.dtype)
    for i, p in enumerate(parts):
        out[..., i] = p
    nd = out.ndim
    return _wrap(_core.moveaxis(out._h, [-1], [axisc if axisc >= 0 else nd + axisc]))


# ---- einsum ----

def _einsum_parse(subscripts, operands):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: {len(terms)} operand subscripts given for {len(operands)} operands")
    # Ellipses become private labels, right-aligned across the operands as broadcasting does.
    n_ell = 0
    for t, op in zip(terms, operands):
        if "..." in t:
            n_ell = builtins.max(n_ell, op.ndim - (len(t) - 3))
    ell = [chr(0x100 + i) for i in range(n_ell)]
    out_terms = []
    for t, op in zip(terms, operands):
        if "..." in t:
            k = op.ndim - (len(t) - 3)
            if k < 0:
                raise ValueError(f"einsum: operand of shape {op.shape} has too few dimensions for '{t}'")
            t = t.replace("...", "".join(ell[n_ell - k:]))
        if len(t) != op.ndim:
            raise ValueError(f"einsum: subscripts '{t}' name {len(t)} dimensions but the operand has shape {op.shape}")
        for c in t:
            if not (c.isalpha() or ord(c) >= 0x100):
                raise ValueError(f"einsum: invalid subscript '{c}' (letters only)")
        out_terms.append(t)
    if rhs is None:  # implicit mode: the labels seen once, alphabetically, after the ellipsis dims
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = "".join(ell) + "".join(sorted(c for c, k in counts.items() if k == 1 and ord(c) < 0x100))
    else:
        rhs = rhs.replace("...", "".join(ell))
        for c in rhs:
            if rhs.count(c) > 1:
                raise ValueError(f"einsum: output subscript '{c}' appears more than once")
            if not any(c in t for t in out_terms):
                raise ValueError(f"einsum: output subscript '{c}' does not appear in the inputs")
    return out_terms, rhs


def _take_diagonals(h, labels):
    """Collapses repeated labels of one operand onto their diagonal (a view)."""
    while True:
        dup = next((c for c in labels if labels.count(c) > 1), None)
        if dup is None:
            return h, labels
        i = labels.index(dup)
        j = labels.index(dup, i + 1)
        if h.shape[i] != h.shape[j]:
            raise ValueError(f"einsum: repeated subscript '{dup}' on dimensions of sizes {h.shape[i]} and {h.shape[j]}")
        h = _core.diagonal(h, 0, i, j)
        labels = "".join(c for k, c in enumerate(labels) if k not in (i, j)) + dup


def _contract(a, la, b, lb, keep):
    """Product of two operands summed over the labels they share that are not kept."""
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    fa = [c for c in la if c not in lb]
    fb = [c for c in lb if c not in la]
    a = _core.permute_dims(a, [la.index(c) for c in batch + fa + summed])
    b = _core.permute_dims(b, [lb.index(c) for c in batch + summed + fb])
    nb = len(batch)
    if not summed:  # an outer product over the free labels, broadcast over the batch ones
        a = _core.reshape(a, tuple(a.shape) + (1,) * len(fb))
        b = _core.reshape(b, tuple(b.shape[:nb]) + (1,) * len(fa) + tuple(b.shape[nb:]))
        return _core.multiply(a, b), "".join(batch + fa + fb)
    sa, sb = tuple(a.shape), tuple(b.shape)
    prod = math.prod
    a = _core.reshape(a, sa[:nb] + (prod(sa[nb:nb + len(fa)]), prod(sa[nb + len(fa):])))
    b = _core.reshape(b, sb[:nb] + (prod(sb[nb:nb + len(summed)]), prod(sb[nb + len(summed):])))
    r = _core.matmul(a, b)
    shape = tuple(r.shape[:nb]) + sa[nb:nb + len(fa)] + sb[nb + len(summed):]
    return _core.reshape(r, shape), "".join(batch + fa + fb)


def einsum(subscripts, /, *operands, out=None, dtype=None, optimize=False, casting="safe"):
    """Einstein summation, lowered to diagonal views, permutations, broadcast products and batched matmuls
    (contracting left to right)."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum: only the subscripts-string form is supported")
    hs = [_h(x) for x in operands]
    if not hs:
        raise ValueError("einsum: at least one operand is required")
    name = _core.result_type(*hs) if dtype is None else _dtypes.name_of(dtype)
    hs = [_core.astype(h, name, False) for h in hs]
    terms, rhs = _einsum_parse(subscripts, hs)
    ops = []
    for i, (h, t) in enumerate(zip(hs, terms)):
        h, t = _take_diagonals(h, t)
        others = "".join(terms[:i] + terms[i + 1:]) + rhs
        lonely = [k for k, c in enumerate(t) if c not in others]
        h = _sum_axes(h, lonely)  # labels nobody else needs are summed first
        t = "".join(c for k, c in enumerate(t) if k not in lonely)
        ops.append((h, t))
    h, t = ops[0]
    for i in range(1, len(ops)):
        keep = "".join(x for _, x in ops[i + 1:]) + rhs
        h, t = _contract(h, t, ops[i][0], ops[i][1], keep)
        extra = [k for k, c in enumerate(t) if c not in keep]
        h = _sum_axes(h, extra)
        t = "".join(c for k, c in enumerate(t) if k not in extra)
    h = _core.permute_dims(h, [t.index(c) for c in rhs])
    return _finish(_wrap(h), out)
