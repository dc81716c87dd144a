"""Tracing a Python function into a Plan: run it once on parameter arrays (value-less stand-ins)
and capture the graph it built between them and its results."""
import builtins

from .. import _core
from .._array import Array, _wrap
from . import _pytree

_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def as_array(x, dtype=None):
    """A leaf as an ember Array (Python and NumPy scalars and arrays are converted)."""
    if isinstance(x, Array) and (dtype is None or x.dtype == dtype):
        return x
    from .._creation import asarray

    try:
        return asarray(x, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"expected an array or a number, got {type(x).__name__}: {e}") from None


class Traced:
    """What tracing a function left: its plan, its results (traced arrays, or other Python values
    that did not depend on the parameters), their structure, and the parameters it wrote to."""

    def __init__(self, plan, results, structure, mutated):
        self.plan, self.results, self.structure, self.mutated = plan, results, structure, mutated


def trace(fun, dynamic, out_to_array=False, keep_writes=True):
    """Traces fun(*params), one parameter shaped like each array in `dynamic`.

    With out_to_array, Python numbers among the results become 0-d arrays (control flow needs
    arrays on both sides); otherwise they are kept as constants of the plan."""
    params = [_wrap(_core.trace_parameter(a._h)) for a in dynamic]
    refs = [_core.node_of(p._h) for p in params]
    _core.begin_tracing()
    try:
        out = fun(*params)
    finally:
        _core.end_tracing()
    leaves, structure = _pytree.flatten(out)
    results = []
    for leaf in leaves:
        if isinstance(leaf, Array) or out_to_array:
            results.append(as_array(leaf))
        else:
            results.append(leaf)
    mutated = [i for i, (p, r) in enumerate(zip(params, refs)) if keep_writes and not _core.node_of(p._h).same(r)]
    arrays = [r._h for r in results if isinstance(r, Array)]
    arrays += [params[i]._h for i in mutated]
    plan = _core.capture_plan(refs, arrays)
    return Traced(plan, results, structure, mutated)


def trace_on(fun, like, structure, convert=None):
    """Traces fun(*unflatten(structure, parameters shaped like `like`)) for the control-flow
    primitives: results become arrays; `convert(results)` may adjust them (casts) inside the trace."""

    def call(*params):
        out = fun(*_pytree.unflatten(structure, list(params)))
        if convert is not None:
            out = convert(out)
        return out

    # A write to a parameter (`i += 1` on a loop variable) changes a local value: the body's results
    # already carry it.
    return trace(call, like, out_to_array=True, keep_writes=False)
