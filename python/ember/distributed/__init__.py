"""ember.distributed: one NumPy-style program over many processes (SPMD over MPI).

    mpirun -n 4 python prog.py

    import ember as em
    import ember.distributed as dist
    x = dist.shard(em.random.default_rng(0).normal(size=(10**6, 8)))   # split along axis 0
    mu = x.mean(axis=0)          # local sums + one all_sum; a replicated ember Array
    y = dist.exp(x - mu)          # elementwise: local, no communication
    print(float(y.sum()))         # every rank gets the same value

Collectives (all_sum, all_gather, all_to_all, broadcast, send/recv) are lazy graph nodes. Every rank
must force the same collectives in the same order. Without MPI, size() == 1 and everything still runs.
"""
import builtins as _builtins
import functools as _functools

from ._comm import (HAVE_MPI, abort, all_gather, all_max, all_min, all_prod, all_reduce, all_sum,  # noqa: F401
                    all_to_all, barrier, broadcast, finalize, init, is_available, rank, recv, send, size)
from ._sharded import (ShardedArray, arange, argreduce, block_counts, elementwise, empty, full, getitem, matmul,  # noqa: F401
                       mean, ones, reduce, shard, var, zeros)
from ._trace import trace_start, trace_stop  # noqa: F401


def gather(x):
    """The whole array on every rank (an all_gather for a ShardedArray; x itself otherwise)."""
    return x.gather() if isinstance(x, ShardedArray) else x


to_replicated = gather


def argmax(x, axis=None, keepdims=False):
    return argreduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return argreduce("argmin", x, axis, keepdims)


def _make_elementwise(name):
    import ember

    fn = getattr(ember, name)

    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _builtins.any(isinstance(a, ShardedArray) for a in args):
            return elementwise(_functools.partial(fn, **kwargs) if kwargs else fn, *args)
        return fn(*args, **kwargs)
    return wrapper


def _make_reduction(op):
    def wrapper(x, axis=None, keepdims=False, **kwargs):
        return reduce(op, x, axis, keepdims, **kwargs)
    wrapper.__name__ = op
    wrapper.__doc__ = f"{op} of a sharded or replicated array (an all-reduce when the split axis is reduced)."
    return wrapper


def _install():
    from .. import _elementwise

    skip = {"result_type", "can_cast"}
    names = [n for n in _elementwise.__all__ if n not in skip]
    for n in names:
        globals()[n] = _make_elementwise(n)
    for op in ("sum", "prod", "max", "min", "any", "all"):
        globals()[op] = _make_reduction(op)
    return names


_ELEMENTWISE = _install()
