"""The `pim` device: ember arrays on a simulated digital processing-in-memory machine.

    x = em.asarray(a, device="pim")        # one bulk transfer (charged)
    with em.pim.profile() as p:
        y = (x * (1 + x)).sum(); y.item()
    p.print()                               # cycles and energy per micro-op type and per line

Costs use PyPIM's model (shared/reference/pim.md §1.4): latency in cycles, energy in gate/bit
operations, one counter per micro-op kind (mask, rw, logic, move) plus host transfers.
"""
import warnings as _warnings

from .. import _core

if not hasattr(_core, "pim"):
    raise ImportError("this build of ember has no pim device (configure with -DEMBER_PIM=ON)")
_pim = _core.pim
KINDS = ("mask", "rw", "logic", "move", "transfer", "total")

__all__ = ["metrics", "reset_metrics", "profile", "fallback", "configure", "geometry", "format_metrics",
           "print_metrics", "Profile"]


def metrics():
    """Totals since the last reset: {kind: (latency, energy)} for mask, rw, logic, move, transfer
    (bulk host I/O, one rw cycle and 32 energy per 32-bit word, as PyPIM's per-element I/O) and total."""
    return dict(_pim.metrics())


def reset_metrics():
    _pim.reset_metrics()


def fallback(device=None):
    """fallback("cpu"): ops with no pim kernel run on the host (a warning per op; the transfers
    are charged). fallback(None): such ops raise NotImplementedError (the default)."""
    if device not in (None, "cpu"):
        raise ValueError(f"pim fallback must be 'cpu' or None, not {device!r}")
    _pim.set_fallback(device == "cpu")


def configure(crossbars=65536, rows=1024, columns=1024, partitions=32):
    """Replaces the machine (drop every pim array first). Default: PyPIM's geometry."""
    _pim.configure(crossbars, rows, columns, partitions)


def geometry():
    return dict(zip(("crossbars", "rows", "columns", "partitions"), _pim.geometry()))


def _diff(a, b):
    return {k: (a[k][0] - b[k][0], a[k][1] - b[k][1]) for k in KINDS}


def format_metrics(m=None, title=None):
    """PyPIM's table ("Type / Latency / Energy"), one row per micro-op kind."""
    m = metrics() if m is None else m
    lines = [] if title is None else [title]
    lines.append(f"{'Type':<10}{'Latency':>14}{'Energy':>20}")
    for k in KINDS:
        lat, en = m[k]
        lines.append(f"{k:<10}{lat:>14,}{en:>20,}")
    return "\n".join(lines)


def print_metrics(m=None, title=None):
    print(format_metrics(m, title))


class Profile:
    """The cost of what ran inside `with em.pim.profile() as p:` (evaluate inside the block)."""

    def __init__(self):
        self.totals = None
        self.ops = []

    def __enter__(self):
        self._start = metrics()
        self._before = {(e["op"], e["origin"]): e for e in _pim.profile()}
        _pim.set_profiling(True)
        return self

    def __exit__(self, *exc):
        _pim.set_profiling(False)
        self.totals = _diff(metrics(), self._start)
        self.ops = []
        for e in _pim.profile():
            old = self._before.get((e["op"], e["origin"]))
            if old is not None:
                if old["count"] == e["count"]:
                    continue
                e = dict(e, count=e["count"] - old["count"], **_diff(e, old))
            self.ops.append(e)
        return False

    def by_op(self):
        return self.ops

    def format(self):
        lines = [format_metrics(self.totals), "",
                 f"{'op':<14}{'line':<34}{'n':>4}{'cycles':>12}{'energy':>18}{'transfer':>10}"]
        for e in sorted(self.ops, key=lambda e: -e["total"][0]):
            where = e["origin"] or "?"
            where = where if len(where) <= 33 else "…" + where[-32:]
            op = e["op"] + (" (cpu)" if e["fallback"] else "")
            lines.append(f"{op:<14}{where:<34}{e['count']:>4}{e['total'][0]:>12,}{e['total'][1]:>18,}"
                         f"{e['transfer'][0]:>10,}")
        return "\n".join(lines)

    def print(self):
        print(self.format())


def profile():
    """A context manager recording the cost per micro-op kind and per (op, Python line)."""
    return Profile()


_warnings.filterwarnings("default", category=RuntimeWarning, message="ember.pim:")
