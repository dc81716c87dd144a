"""Looking inside ember (DESIGN.md decision 9): graph views, a per-op profile, a trace, debug output.

    print(em.explain(y))                       # the graph of y as a text tree, with its Kernels
    em.to_dot(y, path="y.dot"); em.to_svg(y, path="y.svg")
    with em.profile() as p: ...; print(p)      # calls, time, bytes, flops per (op, source line)
    with em.trace("run.json"): ...             # Chrome trace-event JSON (open in Perfetto)
    EMBER_DEBUG=1 python prog.py               # each Kernel list as it is compiled (2: with graphs)

See docs/introspection.md.
"""
from .. import _core
from ._graph import explain, graph, to_dot, to_svg
from ._profile import Profile, profile
from ._trace import Trace, trace

__all__ = ["explain", "to_dot", "to_svg", "profile", "trace", "set_debug", "get_debug"]


def set_debug(level):
    """Sets what evaluation prints to stderr: 0 nothing, 1 each Kernel list as it is compiled,
    2 also the graph. The EMBER_DEBUG environment variable sets it when ember is imported."""
    _core.set_debug(int(level))


def get_debug():
    """The current EMBER_DEBUG level."""
    return _core.get_debug()
