"""`with em.profile() as p:` — per-op counters keyed to the Python line that created each op.

The C++ engine counts, for every Kernel it runs while a profile is open (graph/observe.h has the
exact rule): calls, wall time, bytes read and written, and flops, per (op, file:line, device).
A fused Kernel gives each of its instructions a call and an equal share of its time; its inputs'
bytes go to the instruction that first reads them, its stored results' bytes to the instruction
computing them. Flops: one per element for each arithmetic elementwise op, one per element reduced,
2*m*n*k for matmul. On the pim device, rows also get the simulator's cycles and energy.
Work is counted when it runs: evaluate inside the block (print, .numpy(), float(), em.eval, ...).
"""
import os

from .. import _core

__all__ = ["profile", "Profile"]

_NUMBERS = ("calls", "time", "bytes_read", "bytes_written", "flops", "cycles", "energy")
_SORT_KEYS = {
    "time": lambda r: r["time"], "calls": lambda r: r["calls"], "flops": lambda r: r["flops"],
    "bytes": lambda r: r["bytes_read"] + r["bytes_written"], "bytes_read": lambda r: r["bytes_read"],
    "bytes_written": lambda r: r["bytes_written"], "cycles": lambda r: r["cycles"] or 0,
    "energy": lambda r: r["energy"] or 0, "op": lambda r: r["op"], "origin": lambda r: r["origin"],
}
_open = 0  # profiles currently open (they nest; counters are on while any is)


def _pim():
    return getattr(_core, "pim", None)


def _snapshot():
    rows = {(r["op"], r["origin"], r["device"]): r for r in _core.profile_rows()}
    pim = {(e["op"], e["origin"]): e for e in _pim().profile()} if _pim() else {}
    return rows, pim


def _diff(before, after):
    """Rows of what ran between two snapshots."""
    (rows0, pim0), (rows1, pim1) = before, after
    out = []
    for key, r in rows1.items():
        old = rows0.get(key)
        calls = r["calls"] - (old["calls"] if old else 0)
        if calls == 0:
            continue
        get = (lambda f: r[f] - old[f]) if old else (lambda f: r[f])
        row = {"op": r["op"], "origin": r["origin"], "device": r["device"], "calls": calls,
               "time": get("time_ns") * 1e-9, "bytes_read": get("bytes_read"),
               "bytes_written": get("bytes_written"), "flops": get("flops"), "cycles": None, "energy": None}
        e = pim1.get((r["op"], r["origin"])) if r["device"] == "pim" else None
        if e is not None:  # the simulator's own cost of this op at this line
            e0 = pim0.get((r["op"], r["origin"]))
            row["cycles"] = e["total"][0] - (e0["total"][0] if e0 else 0)
            row["energy"] = e["total"][1] - (e0["total"][1] if e0 else 0)
        out.append(row)
    return out


def _short(origin, width):
    if not origin:
        return "?"
    cwd = os.getcwd() + os.sep
    origin = origin[len(cwd):] if origin.startswith(cwd) else origin
    return origin if len(origin) <= width else "…" + origin[-(width - 1):]


def _si(n, unit):
    """1234567 -> "1.2 M" + unit: counts read at a glance."""
    for prefix in ("", "k", "M", "G", "T"):
        if abs(n) < 1000 or prefix == "T":
            return f"{n:.0f} {unit}".rstrip() if prefix == "" else f"{n:.1f} {prefix}{unit}"
        n /= 1000


class Profile:
    """The counters of what ran inside `with em.profile() as p:`. Print it for a table;
    p.sort(by="time") orders its rows; p.to_list() gives them as dicts with the keys
    op, origin, device, calls, time (seconds), bytes_read, bytes_written, flops, cycles, energy
    (the last two only on the pim device, else None)."""

    def __init__(self):
        self.rows = []
        self._before = None

    def __enter__(self):
        global _open
        if _open == 0:
            _core.set_profiling(True)
            if _pim():
                _pim().set_profiling(True)
        _open += 1
        self._before = _snapshot()
        return self

    def __exit__(self, *exc):
        global _open
        after = _snapshot()  # waits for work scheduled inside the block
        _open -= 1
        if _open == 0:
            _core.set_profiling(False)
            if _pim():
                _pim().set_profiling(False)
        self.rows = _diff(self._before, after)
        self.sort("time")
        return False

    def sort(self, by="time", descending=None):
        """Orders the rows by time, calls, bytes (read + written), bytes_read, bytes_written, flops,
        cycles, energy (largest first) or op, origin (A to Z); returns the profile."""
        if by not in _SORT_KEYS:
            raise ValueError(f"cannot sort a profile by {by!r}; choose one of {', '.join(_SORT_KEYS)}")
        if descending is None:
            descending = by not in ("op", "origin")
        self.rows.sort(key=_SORT_KEYS[by], reverse=descending)
        return self

    def to_list(self):
        """The rows as a list of dicts (copies), in the current order."""
        return [dict(r) for r in self.rows]

    @property
    def total_time(self):
        return sum(r["time"] for r in self.rows)

    def __str__(self):
        total = self.total_time or 1.0
        pim = any(r["cycles"] is not None for r in self.rows)
        head = (f"{'op':<14}{'line':<32}{'device':<7}{'calls':>7}{'time ms':>10}{'%':>6}{'read':>11}"
                f"{'written':>11}{'flops':>10}" + (f"{'cycles':>14}{'energy':>16}" if pim else ""))
        lines = [f"ember profile: {len(self.rows)} row(s), {self.total_time * 1e3:.3f} ms "
                 "(fused kernels split their time evenly over their instructions)", head, "-" * len(head)]
        for r in self.rows:
            line = (f"{r['op'][:13]:<14}{_short(r['origin'], 31):<32}{r['device']:<7}{r['calls']:>7}"
                    f"{r['time'] * 1e3:>10.3f}{100 * r['time'] / total:>6.1f}{_si(r['bytes_read'], 'B'):>11}"
                    f"{_si(r['bytes_written'], 'B'):>11}{_si(r['flops'], ''):>10}")
            if pim:
                cycles, energy = ("-" if v is None else f"{v:,}" for v in (r["cycles"], r["energy"]))
                line += f"{cycles:>14}{energy:>16}"
            lines.append(line)
        return "\n".join(lines)

    def __repr__(self):
        return f"<ember.Profile: {len(self.rows)} rows, {self.total_time * 1e3:.3f} ms>"

    def print(self):
        print(self)


def profile():
    """`with em.profile() as p: ...` then `print(p)`: per-op calls, time, bytes and flops of what
    ran inside the block, keyed to the Python file:line that created each op."""
    return Profile()
