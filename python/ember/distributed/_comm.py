"""The MPI world and the collectives. Collectives return lazy ember Arrays: the communication runs when a
value is needed, so every rank must force the same collectives in the same order (SPMD).

Without MPI (ember built without it, or a process not started by mpirun and no init() call) ember is a
world of one rank: rank() == 0, size() == 1 and every collective returns its input."""
import atexit
import os
import sys
import traceback

from .. import _core
from .._array import Array, _wrap
from .._creation import asarray
from .._dtypes import name_of

HAVE_MPI = hasattr(_core, "dist_init")
_state = {"hooked": False}


def is_available():
    """Whether ember was built with MPI."""
    return HAVE_MPI


def _launched_by_mpirun():
    return any(k in os.environ for k in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def init():
    """Joins the MPI world (idempotent). Under mpirun ember also does this by itself at first use.
    Installs the failure behaviour: an uncaught exception on any rank prints that rank's traceback and
    aborts the whole job (MPI_Abort) with a non-zero exit code, instead of leaving the others waiting."""
    if not HAVE_MPI:
        return
    _core.dist_init()
    if not _state["hooked"]:
        _state["hooked"] = True
        previous = sys.excepthook

        def hook(tp, value, tb):
            if size() > 1:
                _core.dist_abort("".join(traceback.format_exception(tp, value, tb)).rstrip(), 1)
            previous(tp, value, tb)

        sys.excepthook = hook
        atexit.register(_core.dist_finalize)


def _ensure():
    if HAVE_MPI and not _core.dist_initialized() and _launched_by_mpirun():
        init()


def finalize():
    if HAVE_MPI:
        _core.dist_finalize()


def rank():
    """This process's rank (0 in a world of one)."""
    _ensure()
    return _core.dist_rank() if HAVE_MPI else 0


def size():
    """The number of ranks (1 without MPI)."""
    _ensure()
    return _core.dist_size() if HAVE_MPI else 1


def abort(message, code=1):
    """Prints message (prefixed with this rank) and ends the whole job."""
    if HAVE_MPI:
        _core.dist_abort(str(message), int(code))
    print(f"[ember rank 0/1] {message}", file=sys.stderr, flush=True)
    os._exit(int(code))


def _arr(x):
    return x if isinstance(x, Array) else asarray(x)


def all_reduce(x, op="sum"):
    """Elementwise reduction over all ranks (op: 'sum', 'prod', 'max', 'min'); every rank gets the result."""
    x = _arr(x)
    if op not in ("sum", "prod", "max", "min"):
        raise ValueError(f"all_reduce: unknown op {op!r} (expected 'sum', 'prod', 'max' or 'min')")
    if size() == 1 and not HAVE_MPI:
        return x
    return _wrap(_core.dist_all_reduce(x._h, op))


def all_sum(x):
    return all_reduce(x, "sum")


def all_max(x):
    return all_reduce(x, "max")


def all_min(x):
    return all_reduce(x, "min")


def all_prod(x):
    return all_reduce(x, "prod")


def all_gather(x, axis=0, counts=None):
    """Every rank's x concatenated along axis, in rank order. counts: each rank's length along axis
    (default: all equal); the other dims must agree on every rank."""
    x = _arr(x)
    if x.ndim == 0:
        raise ValueError("all_gather: expected an array of at least 1 dimension, got a 0-d array")
    from .._manipulation import moveaxis

    axis = _norm_axis(axis, x.ndim)
    if size() == 1 and not HAVE_MPI:
        return x
    front = moveaxis(x, axis, 0) if axis else x
    out = _wrap(_core.dist_all_gather(front._h, list(counts) if counts is not None else []))
    return moveaxis(out, 0, axis) if axis else out


def all_to_all(x):
    """x.shape[0] == size() * k: the k-row block i goes to rank i; returns the blocks received, in rank order."""
    x = _arr(x)
    if size() == 1 and not HAVE_MPI:
        return x
    return _wrap(_core.dist_all_to_all(x._h))


def broadcast(x, root=0):
    """root's x on every rank (the others' x give the shape and dtype, which must match)."""
    x = _arr(x)
    if size() == 1 and not HAVE_MPI:
        if root != 0:
            raise ValueError(f"broadcast: root rank {root} is out of range for a world of 1 rank(s)")
        return x
    return _wrap(_core.dist_broadcast(x._h, int(root)))


def send(x, dst, tag=0):
    """Sends x to rank dst when the result (x itself) is evaluated: call ember.eval(send(...))."""
    x = _arr(x)
    if not HAVE_MPI:
        raise ValueError(f"send: destination rank {dst} is out of range for a world of 1 rank(s)")
    return _wrap(_core.dist_send(x._h, int(dst), int(tag)))


def recv(shape, dtype, src, tag=0):
    """The array of this shape and dtype that rank src sends with this tag (lazy)."""
    if not HAVE_MPI:
        raise ValueError(f"recv: source rank {src} is out of range for a world of 1 rank(s)")
    return _wrap(_core.dist_recv(shape, name_of(dtype), int(src), int(tag)))


def barrier():
    """Waits until every rank gets here."""
    from .._creation import eval as _eval

    if size() > 1:
        _eval(all_sum(asarray(0)))


def _norm_axis(axis, ndim):
    import operator

    from numpy.exceptions import AxisError

    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim
