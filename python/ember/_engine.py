"""The engine's controls: threads, and the Kernels a computation becomes (for tests and tuning)."""
from . import _core
from ._array import Array

__all__ = ["set_num_threads", "get_num_threads", "kernels", "eval_async", "plan_cache_info", "program_info"]


def set_num_threads(n):
    """Sets how many threads ember's kernels use; n <= 0 restores the default
    (the EMBER_NUM_THREADS environment variable, else the machine's hardware threads)."""
    _core.set_num_threads(int(n))


def get_num_threads():
    """The number of threads ember's kernels use."""
    return _core.get_num_threads()


def kernels(*arrays):
    """The Kernels evaluating `arrays` would run, without running them: (count, listing).

    The count leaves out zero-copy views; the listing shows each fused kernel's instructions."""
    hs = [a._h for a in arrays if isinstance(a, Array)]
    count, text = _core.kernels(hs)
    return count, text


def eval_async(*arrays):
    """Starts computing `arrays` in the background and returns at once. Python keeps running;
    the next sync point (.numpy(), print, float(), em.eval, ...) waits for the work and re-raises
    any error it met, as a synchronous evaluation would have."""
    _core.eval_async([a._h for a in arrays if isinstance(a, Array)])


def plan_cache_info():
    """The eager plan cache's counters, as a dict: `hits` (evaluations that replayed a kept plan),
    `misses` (cacheable evaluations without one: the first sight of a graph's structure, or the
    second, which makes the plan), `bypasses` (evaluations the cache leaves alone: writes, random
    draws, opaque calls, other devices, profiling), `entries` (kept plans) and `enabled`
    (EMBER_PLAN_CACHE=0 turns it off; in process `ember._core.set_plan_cache(False)`)."""
    return dict(_core.plan_cache_info())


def program_info():
    """Counters over the compiled Programs built so far (a @em.jit plan, a loop body), as a dict:
    `programs` built, `rolled_regions` (runs of Kernels that repeat trip after trip, such as a
    Python loop the trace unrolled, which the Program runs as a loop over its first trip),
    `rolled_kernels` (the Kernels those regions cover) and `rolled_trips` (trips run that way).
    EMBER_REROLL=0 turns rolling off for Programs built after it is set (docs/jit.md)."""
    return dict(_core.program_info())
