"""The ember demo: one NumPy-style program, run by NumPy and by ember, side by side.

The program is written once against a module `np`; it runs unchanged with `import ember as np`.
"""
import time

import numpy

import ember


def program(np, n=2_000_000, steps=20):
    """A small physics-flavoured workload: smooth a signal in place through slices, then reduce."""
    x = np.linspace(0.0, 10.0, n)
    u = np.sin(x) * np.exp(-0.1 * x) + 0.5 * np.cos(3.0 * x)
    for _ in range(steps):
        u[1:-1] = u[1:-1] + 0.25 * (u[:-2] - 2.0 * u[1:-1] + u[2:])  # a diffusion step through views
    energy = (u * u).sum() / n
    peaks = (u > 0.5).sum()
    return float(energy), int(peaks), float(np.abs(u).max())


def timed(module):
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        result = program(module)
        best = min(best, time.perf_counter() - t0)
    return result, best


if __name__ == "__main__":
    (np_result, np_time) = timed(numpy)
    (em_result, em_time) = timed(ember)
    print(f"{'':8} {'energy':>20} {'peaks':>9} {'max |u|':>20} {'time (best of 3)':>18}")
    print(f"{'numpy':8} {np_result[0]:20.15f} {np_result[1]:9d} {np_result[2]:20.15f} {np_time * 1e3:15.1f} ms")
    print(f"{'ember':8} {em_result[0]:20.15f} {em_result[1]:9d} {em_result[2]:20.15f} {em_time * 1e3:15.1f} ms")
    same = numpy.allclose(np_result, em_result, rtol=1e-12)
    print("results agree" if same else "RESULTS DIFFER")
    raise SystemExit(0 if same else 1)
