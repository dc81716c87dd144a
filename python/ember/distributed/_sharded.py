"""ShardedArray: an array split along one axis into contiguous blocks, one per rank (rank r holds
global rows offsets[r] : offsets[r] + counts[r] of that axis). Operations run on the local blocks
and communicate only where the result needs it:

- elementwise ops and broadcasting with replicated arrays: no communication (a replicated operand is
  sliced to this rank's block); operands split differently are first gathered;
- reductions: a local reduction, then one all-reduce when the split axis is reduced;
- matmul: rows-split x replicated is local; a split inner dimension is a local product plus all_sum;
- slicing: local, with the new block lengths computed on every rank; an integer on the split axis is
  broadcast from its owner;
- gather()/to_replicated(): one all_gather.

Every rank must run the same operations in the same order (SPMD)."""
import builtins
import operator

import numpy as _np

from .._array import Array
from .._creation import asarray
from . import _comm


def block_counts(n, p):
    """The block lengths of n items over p ranks (the first n % p ranks get one more)."""
    return [n // p + (1 if r < n % p else 0) for r in range(p)]


def _offsets(counts):
    return [builtins.sum(counts[:r]) for r in range(len(counts) + 1)]


def _take_block(x, axis, lo, hi):
    key = (slice(None),) * axis + (slice(lo, hi),)
    return x[key]


class ShardedArray:
    """A global array of `shape`, split along `axis` over the ranks; `local` is this rank's block."""

    __slots__ = ("local", "axis", "shape", "counts")
    __array_ufunc__ = None
    __array_priority__ = 200

    def __init__(self, local, axis, shape, counts):
        self.local, self.axis, self.shape, self.counts = local, axis, tuple(shape), list(counts)
        me = _comm.rank()
        expect = self.shape[:axis] + (self.counts[me],) + self.shape[axis + 1:]
        if tuple(local.shape) != expect:
            raise ValueError(f"rank {me}: local block has shape {tuple(local.shape)}, expected {expect} "
                             f"for global shape {self.shape} split along axis {axis}")

    # ---- attributes ----
    dtype = property(lambda self: self.local.dtype)
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(_np.prod(self.shape, dtype=_np.int64)))
    offset = property(lambda self: builtins.sum(self.counts[:_comm.rank()]))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self):
        return (f"ShardedArray(shape={self.shape}, dtype={self.dtype}, axis={self.axis}, "
                f"rank {_comm.rank()} of {_comm.size()} holds {self.counts[_comm.rank()]})")

    # ---- to one array ----
    def gather(self):
        """The whole array on every rank (one all_gather): a replicated ember Array."""
        return _comm.all_gather(self.local, axis=self.axis, counts=self.counts)

    to_replicated = gather

    def numpy(self):
        return self.gather().numpy()

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a.astype(dtype) if dtype is not None else a

    # ---- elementwise ----
    def astype(self, dtype, copy=True):
        return _like(self, self.local.astype(dtype, copy=copy))

    def copy(self):
        return _like(self, self.local.copy())

    def __neg__(self):
        return _like(self, -self.local)

    def __pos__(self):
        return _like(self, +self.local)

    def __abs__(self):
        return _like(self, abs(self.local))

    def __invert__(self):
        return _like(self, ~self.local)

    @property
    def real(self):
        return _like(self, self.local.real)

    @property
    def imag(self):
        return _like(self, self.local.imag)

    def conj(self):
        return _like(self, self.local.conj())

    @property
    def T(self):
        return ShardedArray(self.local.T, self.ndim - 1 - self.axis, self.shape[::-1], self.counts)

    # ---- reductions ----
    def sum(self, axis=None, keepdims=False, dtype=None):
        return reduce("sum", self, axis, keepdims, dtype)

    def prod(self, axis=None, keepdims=False, dtype=None):
        return reduce("prod", self, axis, keepdims, dtype)

    def max(self, axis=None, keepdims=False):
        return reduce("max", self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return reduce("min", self, axis, keepdims)

    def any(self, axis=None, keepdims=False):
        return reduce("any", self, axis, keepdims)

    def all(self, axis=None, keepdims=False):
        return reduce("all", self, axis, keepdims)

    def argmax(self, axis=None, keepdims=False):
        return argreduce("argmax", self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False):
        return argreduce("argmin", self, axis, keepdims)

    def mean(self, axis=None, keepdims=False, dtype=None):
        return mean(self, axis, keepdims, dtype)

    def var(self, axis=None, keepdims=False, ddof=0):
        return var(self, axis, keepdims, ddof)

    def std(self, axis=None, keepdims=False, ddof=0):
        return var(self, axis, keepdims, ddof) ** 0.5

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __getitem__(self, key):
        return getitem(self, key)


def _binary(fn, reflected=False):
    def method(self, other):
        return elementwise(fn, other, self) if reflected else elementwise(fn, self, other)
    return method


for _name, _fn in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("and", operator.and_), ("or", operator.or_), ("xor", operator.xor),
                   ("lshift", operator.lshift), ("rshift", operator.rshift)]:
    setattr(ShardedArray, f"__{_name}__", _binary(_fn))
    setattr(ShardedArray, f"__r{_name}__", _binary(_fn, reflected=True))
for _name, _fn in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
                   ("gt", operator.gt), ("ge", operator.ge)]:
    setattr(ShardedArray, f"__{_name}__", _binary(_fn))
ShardedArray.__hash__ = None


def _like(s, local):
    return ShardedArray(local, s.axis, s.shape, s.counts)


# ---- making sharded arrays ----
def shard(x, axis=0):
    """Splits x (the same replicated array on every rank) into blocks along axis; no communication."""
    x = asarray(x) if not isinstance(x, Array) else x
    if x.ndim == 0:
        raise ValueError("shard: cannot split a 0-d array")
    axis = _comm._norm_axis(axis, x.ndim)
    counts = block_counts(x.shape[axis], _comm.size())
    off = _offsets(counts)
    me = _comm.rank()
    return ShardedArray(_take_block(x, axis, off[me], off[me + 1]), axis, x.shape, counts)


def _created(make, shape, axis):
    shape = (operator.index(shape),) if not isinstance(shape, (tuple, list)) else tuple(map(operator.index, shape))
    if not shape:
        raise ValueError("a sharded array needs at least one dimension")
    axis = _comm._norm_axis(axis, len(shape))
    counts = block_counts(shape[axis], _comm.size())
    local_shape = shape[:axis] + (counts[_comm.rank()],) + shape[axis + 1:]
    return ShardedArray(make(local_shape), axis, shape, counts)


def zeros(shape, dtype=None, axis=0):
    """A sharded array of zeros: each rank makes only its own block."""
    from .. import zeros as z
    return _created(lambda s: z(s, dtype=dtype), shape, axis)


def ones(shape, dtype=None, axis=0):
    from .. import ones as o
    return _created(lambda s: o(s, dtype=dtype), shape, axis)


def full(shape, fill_value, dtype=None, axis=0):
    from .. import full as f
    return _created(lambda s: f(s, fill_value, dtype=dtype), shape, axis)


def empty(shape, dtype=None, axis=0):
    from .. import empty as e
    return _created(lambda s: e(s, dtype=dtype), shape, axis)


def arange(start, stop=None, step=1, dtype=None):
    """A 1-d sharded arange: each rank makes only its own values."""
    from .. import arange as ar
    if stop is None:
        start, stop = 0, start
    n = len(range(start, stop, step)) if builtins.all(isinstance(v, int) for v in (start, stop, step)) \
        else builtins.max(0, int(_np.ceil((stop - start) / step)))
    counts = block_counts(n, _comm.size())
    off = _offsets(counts)
    me = _comm.rank()
    lo = start + off[me] * step
    local = ar(lo, lo + counts[me] * step, step, dtype=dtype)[:counts[me]]
    return ShardedArray(local, 0, (n,), counts)


# ---- elementwise with broadcasting ----
def _gshape(x):
    if isinstance(x, (ShardedArray, Array)):
        return tuple(x.shape)
    return _np.shape(x)


def elementwise(fn, *args, **kwargs):
    """fn (an elementwise function) over sharded and replicated operands, broadcasting as NumPy.
    The result is split like the first sharded operand that is not broadcast along its split axis."""
    args = [a if isinstance(a, (ShardedArray, Array)) or type(a) in (bool, int, float, complex)
            else asarray(a) for a in args]
    out_shape = _np.broadcast_shapes(*[_gshape(a) for a in args])
    nd = len(out_shape)
    ref = next((a for a in args if isinstance(a, ShardedArray)
                and a.shape[a.axis] == out_shape[a.axis + nd - a.ndim]),
               None)
    if ref is None:  # nothing is split along a real axis of the result: compute replicated
        return fn(*[a.gather() if isinstance(a, ShardedArray) else a for a in args], **kwargs)
    axis = ref.axis + nd - ref.ndim
    off = _offsets(ref.counts)
    me = _comm.rank()
    lo, hi = off[me], off[me + 1]
    locals_ = []
    for a in args:
        if isinstance(a, ShardedArray):
            if a.axis + nd - a.ndim == axis and a.counts == ref.counts:
                locals_.append(a.local)
                continue
            a = a.gather()  # split differently: replicate, then take this rank's block
        if isinstance(a, Array):
            ax = axis - (nd - a.ndim)
            if ax >= 0 and a.shape[ax] != 1:
                a = _take_block(a, ax, lo, hi)
        locals_.append(a)
    local = fn(*locals_, **kwargs)
    return ShardedArray(local, axis, out_shape, ref.counts)


# ---- reductions ----
_ALL_REDUCE = {"sum": "sum", "prod": "prod", "max": "max", "min": "min", "any": "max", "all": "min"}


def _identity(op, dtype):
    dt = _np.dtype(dtype)
    if op in ("any", "all"):
        return None
    if dt.kind == "b":
        return op == "min"
    if dt.kind in "iu":
        info = _np.iinfo(dt)
        return int(info.min) if op == "max" else int(info.max)
    return -_np.inf if op == "max" else _np.inf


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(_comm._norm_axis(a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return axes
    return (_comm._norm_axis(axis, ndim),)


def reduce(op, x, axis=None, keepdims=False, dtype=None):
    """sum/prod/max/min/any/all of a sharded array: local reduction, then an all-reduce if the split
    axis is reduced (replicated result); otherwise the result stays split."""
    import ember as em

    if not isinstance(x, ShardedArray):
        return getattr(em, op)(x, axis=axis, keepdims=keepdims, **({"dtype": dtype} if dtype else {}))
    axes = _axes(axis, x.ndim)
    kw = {"dtype": dtype} if dtype is not None and op in ("sum", "prod") else {}
    if op in ("max", "min"):
        if builtins.any(x.shape[a] == 0 for a in axes):
            name = "maximum" if op == "max" else "minimum"
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        kw["initial"] = _identity(op, x.dtype)  # a rank may hold an empty block
    fn = getattr(em, op)
    if x.axis in axes:
        local = fn(x.local, axis=axes, keepdims=True, **kw)
        out = _comm.all_reduce(local, _ALL_REDUCE[op])
        return out if keepdims else em.squeeze(out, axis=axes) if axes else out
    local = fn(x.local, axis=axes, keepdims=keepdims, **kw)
    new_axis = x.axis if keepdims else x.axis - builtins.sum(1 for a in axes if a < x.axis)
    shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keepdims else \
        tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return ShardedArray(local, new_axis, shape, x.counts)


def argreduce(op, x, axis=None, keepdims=False):
    """argmax/argmin: local along an axis that is not split (the result stays split); along the split
    axis or over all axes the array is gathered first."""
    import ember as em

    fn = getattr(em, op)
    if not isinstance(x, ShardedArray):
        return fn(x, axis=axis, keepdims=keepdims)
    if axis is None or _comm._norm_axis(axis, x.ndim) == x.axis:
        return fn(x.gather(), axis=axis, keepdims=keepdims)
    axis = _comm._norm_axis(axis, x.ndim)
    local = fn(x.local, axis=axis, keepdims=keepdims)
    new_axis = x.axis if keepdims or axis > x.axis else x.axis - 1
    shape = tuple(1 if i == axis else d for i, d in enumerate(x.shape)) if keepdims else \
        tuple(d for i, d in enumerate(x.shape) if i != axis)
    return ShardedArray(local, new_axis, shape, x.counts)


def mean(x, axis=None, keepdims=False, dtype=None):
    import ember as em

    if not isinstance(x, ShardedArray):
        return em.mean(x, axis=axis, keepdims=keepdims, dtype=dtype)
    axes = _axes(axis, x.ndim)
    n = int(_np.prod([x.shape[a] for a in axes], dtype=_np.int64))
    kind = _np.dtype(x.dtype).kind
    acc = dtype if dtype is not None else (_np.float64 if kind in "biu" else None)
    total = reduce("sum", x, axis, keepdims, acc)
    out = total / n
    if dtype is None and kind == "f" and out.dtype != x.dtype:
        out = out.astype(x.dtype)
    return out


def var(x, axis=None, keepdims=False, ddof=0):
    import ember as em

    if not isinstance(x, ShardedArray):
        return em.var(x, axis=axis, keepdims=keepdims, ddof=ddof)
    axes = _axes(axis, x.ndim)
    n = int(_np.prod([x.shape[a] for a in axes], dtype=_np.int64))
    mu = mean(x, axis, keepdims=True)
    d = x - mu
    sq = d * d.conj() if _np.dtype(x.dtype).kind == "c" else d * d
    return reduce("sum", sq, axis, keepdims) / builtins.max(n - ddof, 0)


# ---- matmul ----
def matmul(a, b):
    """Sharded x replicated and sharded x sharded, for 1-d and 2-d operands; higher ranks are gathered."""
    import ember as em

    if not isinstance(a, ShardedArray) and not isinstance(b, ShardedArray):
        return em.matmul(a, b)
    a = a if isinstance(a, (ShardedArray, Array)) else asarray(a)
    b = b if isinstance(b, (ShardedArray, Array)) else asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    if a.ndim > 2 or b.ndim > 2:
        return em.matmul(_rep(a), _rep(b))
    ka = a.ndim - 1          # a's contracted axis
    kb = 0                   # b's contracted axis
    if a.shape[ka] != b.shape[kb]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 (size {b.shape[kb]} "
                         f"is different from {a.shape[ka]})")
    me = _comm.rank()
    # a split along its rows: each rank multiplies its rows by the whole of b.
    if isinstance(a, ShardedArray) and a.ndim == 2 and a.axis == 0:
        local = em.matmul(a.local, _rep(b))
        shape = (a.shape[0],) + ((b.shape[1],) if b.ndim == 2 else ())
        return ShardedArray(local, 0, shape, a.counts)
    # b split along its columns: the whole of a times each rank's columns.
    if isinstance(b, ShardedArray) and b.ndim == 2 and b.axis == 1:
        local = em.matmul(_rep(a), b.local)
        shape = ((a.shape[0],) if a.ndim == 2 else ()) + (b.shape[1],)
        return ShardedArray(local, len(shape) - 1, shape, b.counts)
    # The contracted dimension is split: local partial products, summed over ranks.
    counts = a.counts if isinstance(a, ShardedArray) else b.counts
    off = _offsets(counts)
    lo, hi = off[me], off[me + 1]

    def inner_block(x, ax):
        if isinstance(x, ShardedArray):
            if x.axis == ax and x.counts == counts:
                return x.local
            x = x.gather()
        return _take_block(x, ax, lo, hi)

    return _comm.all_sum(em.matmul(inner_block(a, ka), inner_block(b, kb)))


def _rep(x):
    return x.gather() if isinstance(x, ShardedArray) else x


# ---- slicing ----
def _expand_key(key, ndim):
    key = key if isinstance(key, tuple) else (key,)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed")
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(k)
    if Ellipsis not in key:
        out.extend([slice(None)] * (ndim - used))
    return out


def _is_basic(k):
    return k is None or isinstance(k, slice) or (isinstance(k, (int, _np.integer)) and not isinstance(k, bool))


def getitem(x, key):
    """Basic indexing (ints, slices, None, ...) stays distributed; other keys index the gathered array."""
    import ember as em

    if not builtins.all(_is_basic(k) or k is Ellipsis for k in (key if isinstance(key, tuple) else (key,))):
        return x.gather()[key]
    key = _expand_key(key, x.ndim)
    # where the split axis sits in the key, and in the result
    pos, dim, out_axis = None, 0, 0
    for i, k in enumerate(key):
        if k is None:
            out_axis += 1
            continue
        if dim == x.axis:
            pos = i
            break
        if isinstance(k, slice):
            out_axis += 1
        dim += 1
    k = key[pos]
    n = x.shape[x.axis]
    me = _comm.rank()
    off = _offsets(x.counts)
    if isinstance(k, slice):
        start, stop, step = k.indices(n)
        if step < 0:  # the blocks would come in reverse rank order: index the gathered array
            return x.gather()[tuple(key)]
        idx = _np.arange(start, stop, step, dtype=_np.int64)
        counts, local_key = [], None
        for r in range(len(x.counts)):
            sel = idx[(idx >= off[r]) & (idx < off[r + 1])]
            counts.append(int(sel.size))
            if r == me:
                local_key = slice(int(sel[0] - off[r]), int(sel[-1] - off[r]) + 1, step) if sel.size else slice(0, 0)
        local = x.local[tuple(key[:pos]) + (local_key,) + tuple(key[pos + 1:])]
        shape = list(local.shape)
        shape[out_axis] = builtins.sum(counts)
        return ShardedArray(local, out_axis, tuple(shape), counts)
    # an integer on the split axis: its owner broadcasts the selection
    i = operator.index(k)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {x.axis} with size {n}")
    i %= n
    owner = next(r for r in range(len(x.counts)) if off[r] <= i < off[r + 1])
    if me == owner:
        piece = x.local[tuple(key[:pos]) + (i - off[me],) + tuple(key[pos + 1:])]
    else:
        template = x.local[tuple(key[:pos]) + (slice(0, 1),) + tuple(key[pos + 1:])]
        shape = list(template.shape)
        del shape[out_axis]
        piece = em.zeros(tuple(shape), dtype=x.dtype)
    return _comm.broadcast(piece, root=owner)
