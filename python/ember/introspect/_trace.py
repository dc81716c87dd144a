"""`em.trace("run.json")`: a Chrome trace-event file of what the engine ran, for Perfetto
(https://ui.perfetto.dev) or chrome://tracing.

    with em.trace("run.json"):          # or: t = em.trace("run.json"); ...; t.stop()
        y = (a * b + c).sum(); y.item()

Each Kernel is a complete event ("ph": "X") on the track of the thread that ran it (the Python
thread, or the dispatcher for asynchronous evaluation), named by its ops ("multiply+add"); a
multithreaded Kernel also has one "chunk" event per piece of work, on the worker thread that ran it.
Tracks are grouped by device (one process per device).

em.trace with an array is still NumPy's trace (the sum along a diagonal).
"""
import json
import os

from .. import _core, _linalg_functions

__all__ = ["trace", "Trace"]

_DEVICES = {1: "cpu", 2: "cuda", 3: "pim"}  # pid = 1 + the C++ DeviceType
_current = None  # the open trace: one at a time


class Trace:
    """An open trace; stop() (or leaving the `with` block) writes the file."""

    def __init__(self, path):
        global _current
        if _current is not None:
            raise RuntimeError(f"a trace is already recording (to {_current.path!r}); stop it first")
        self.path = path
        self.events = None
        _core.set_tracing(True)
        _current = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        """Waits for scheduled work, stops recording, writes the JSON file; returns its path."""
        global _current
        if _current is not self:
            return self.path
        _core.set_tracing(False)
        _current = None
        self.events = _events()
        with open(self.path, "w") as f:
            json.dump({"traceEvents": self.events, "displayTimeUnit": "ms"}, f)
        return self.path


def _events():
    """The recorded events as trace-event dicts: metadata first, then complete events by time."""
    raw = _core.trace_events()
    names = dict(_core.trace_threads())
    out = []
    for pid in sorted({e[4] for e in raw}):
        out.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                    "args": {"name": f"ember {_DEVICES.get(pid, pid)} device"}})
    for pid, tid in sorted({(e[4], e[5]) for e in raw}):
        out.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                    "args": {"name": names.get(tid, f"thread {tid}")}})
    for name, cat, ts_ns, dur_ns, pid, tid, args in sorted(raw, key=lambda e: e[2]):
        out.append({"name": name, "cat": cat, "ph": "X", "ts": ts_ns / 1e3, "dur": dur_ns / 1e3,
                    "pid": pid, "tid": tid, "args": args})
    return out


def trace(path, *args, **kwargs):
    """em.trace("run.json") starts recording a Chrome trace to that file: use it as
    `with em.trace(path):`, or call `t = em.trace(path)` and later `t.stop()`; evaluate inside.

    Any other first argument is NumPy's trace (the sum along a diagonal): em.trace(a, offset=0,
    axis1=0, axis2=1, dtype=None, out=None). A file name is never an array, so the two cannot clash."""
    if isinstance(path, (str, os.PathLike)):
        if args or kwargs:
            raise TypeError("em.trace(path) takes only the file to write the trace to")
        return Trace(os.fspath(path))
    return _linalg_functions.trace(path, *args, **kwargs)
