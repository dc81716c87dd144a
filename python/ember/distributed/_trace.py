"""Per-rank traces merged into one Chrome trace-event file that opens in Perfetto (ui.perfetto.dev) or
chrome://tracing: a process per rank, holding a track of its collectives (with their bytes) and the
core's tracks of the Kernels it ran (one per thread, as em.trace records them), on one clock."""
import json

import numpy as _np

from .. import _core
from . import _comm

_NAMES = ["all_sum", "all_prod", "all_max", "all_min", "all_gather", "all_to_all", "broadcast", "send", "recv",
          "user"]
_user = []
_core_t0 = [0.0]  # wtime() when the core's trace started: its event times are relative to it


def trace_start():
    """Starts recording this rank's collectives and Kernels (call on every rank)."""
    _user.clear()
    if _comm.HAVE_MPI:
        _core.dist_take_trace()
        _core.dist_set_tracing(True)
    _core.set_tracing(True)
    _core_t0[0] = wtime()


def _kernel_events():
    """The core's trace of this rank as (name, start, duration, bytes, track) rows on the wtime clock
    (track 1 + the core's thread id), plus (thread name, nan, -1, 0, track) rows naming the tracks."""
    _core.set_tracing(False)
    t0 = _core_t0[0]
    rows = [(name, t0 + ts / 1e9, dur / 1e9, 0, 1 + tid) for name, _cat, ts, dur, _pid, tid, _args in _core.trace_events()]
    rows += [(f"ember {name}", float("nan"), -1.0, 0, 1 + tid) for tid, name in _core.trace_threads()]
    return rows


def span(name, start, end):
    """Adds a user-defined span (seconds from wtime()) to this rank's track, e.g. a compute phase."""
    _user.append((str(name), float(start), float(end - start), 0))


def wtime():
    return _core.dist_wtime() if _comm.HAVE_MPI else __import__("time").perf_counter()


def trace_stop(path=None):
    """Stops recording; gathers every rank's events to every rank (a collective: call on every rank) and,
    if path is given, rank 0 writes the merged Chrome trace there. Returns the merged event list."""
    import ember as em

    events = []
    if _comm.HAVE_MPI:
        _core.dist_set_tracing(False)
        events = list(_core.dist_take_trace())
    events = [(*e, 0) for e in events + _user] + _kernel_events()  # track 0: the collectives
    labels = sorted({e[0] for e in events} - set(_NAMES))
    table = _NAMES + labels
    index = {name: i for i, name in enumerate(table)}
    rows = _np.array([[index[e[0]], e[1], e[2], e[3], e[4]] for e in events], dtype=_np.float64).reshape(-1, 5)
    # Names beyond the fixed table differ per rank: send each rank's label list as code points.
    codes = _np.frombuffer("\n".join(labels).encode("utf-32-le"), dtype=_np.uint32).astype(_np.int64)
    n = _comm.size()
    lens = _comm.all_gather(em.asarray([rows.shape[0], codes.size], dtype=em.int64)).numpy().reshape(n, 2)
    all_rows = _comm.all_gather(em.asarray(rows), counts=lens[:, 0].tolist()).numpy()
    all_codes = _comm.all_gather(em.asarray(codes), counts=lens[:, 1].tolist()).numpy()
    merged, r0, c0 = [], 0, 0
    timed = all_rows[all_rows[:, 2] >= 0] if all_rows.size else all_rows
    t0 = _np.nanmin(timed[:, 1]) if timed.size else 0.0
    for r in range(n):
        rows_r = all_rows[r0:r0 + lens[r, 0]]
        text = all_codes[c0:c0 + lens[r, 1]].astype(_np.uint32).tobytes().decode("utf-32-le")
        table_r = _NAMES + (text.split("\n") if text else [])
        r0, c0 = r0 + lens[r, 0], c0 + lens[r, 1]
        merged.append({"ph": "M", "name": "process_name", "pid": r, "args": {"name": f"rank {r}"}})
        merged.append({"ph": "M", "name": "thread_name", "pid": r, "tid": 0, "args": {"name": "collectives"}})
        for idx, start, dur, nbytes, track in rows_r:
            if dur < 0:  # a track's name
                merged.append({"ph": "M", "name": "thread_name", "pid": r, "tid": int(track),
                               "args": {"name": table_r[int(idx)]}})
                continue
            merged.append({"ph": "X", "name": table_r[int(idx)], "pid": r, "tid": int(track), "ts": (start - t0) * 1e6,
                           "dur": dur * 1e6, "args": {"bytes": int(nbytes)} if track == 0 else {}})
    if path is not None and _comm.rank() == 0:
        with open(path, "w") as f:
            json.dump({"traceEvents": merged, "displayTimeUnit": "ms"}, f)
    return merged
