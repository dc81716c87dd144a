"""Small classic NumPy programs, written once against a module `xp` and run with xp = numpy and
xp = ember: the results must match. They use only functions the ember namespace has; where a
reduction is not there yet (HAVE_SUM false), the program is written without it (an explicit loop over
rows, never over elements)."""
import numpy
import pytest

import ember
from helpers import assert_matches

HAVE_SUM = hasattr(ember, "sum")
HAVE_MEAN = hasattr(ember, "mean")
HAVE_CUMSUM = hasattr(ember, "cumsum")


def col_sums(xp, x):
    """Sums over axis 0 of a 2-d array."""
    if HAVE_SUM:
        return xp.sum(x, axis=0)
    acc = x[0] * 1
    for i in range(1, x.shape[0]):
        acc = acc + x[i]
    return acc


def heat_jacobi(xp):
    """2-D heat equation by Jacobi sweeps, updated in place through slices."""
    u = xp.zeros((24, 24))
    u[0, :] = 100.0  # hot top edge
    u[:, 0] = 50.0
    for _ in range(50):
        u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    return u


def pairwise_distances(xp):
    """The distance matrix of 30 points in 3-d by broadcasting."""
    pts = xp.asarray(numpy.random.default_rng(1).normal(size=(30, 3)))
    d = pts[:, None, :] - pts[None, :, :]
    if HAVE_SUM:
        sq = xp.sum(d ** 2, axis=-1)
    else:
        sq = d[..., 0] ** 2 + d[..., 1] ** 2 + d[..., 2] ** 2
    return xp.sqrt(sq)


def column_means_and_row_normalisation(xp):
    x = xp.asarray(numpy.random.default_rng(2).uniform(1, 5, size=(40, 6)))
    means = xp.mean(x, axis=0) if HAVE_MEAN else col_sums(xp, x) / x.shape[0]
    centred = x - means
    row_sums = xp.sum(x, axis=1, keepdims=True) if HAVE_SUM else col_sums(xp, x.T)[:, None]
    return means, centred, x / row_sums


def boolean_masking(xp):
    """Clip outliers through masks, select with combined masks, count the selection."""
    a = xp.asarray(numpy.random.default_rng(3).normal(size=(50, 8)))
    t = 1.5
    a[a > t] = t
    a[a < -t] = -t
    inside = (a > 0) & (a < 1)
    picked = a[inside]
    a[~inside & (a > 0)] *= 2.0
    rows = a[a[:, 0] > 0]  # rows whose first value is positive
    return a, picked, rows, picked.shape[0]


def game_of_life(xp):
    """Conway's game of life with slices (N. Rougier's version), a glider and a blinker, 30 steps."""
    z = xp.zeros((16, 16), dtype=xp.int64)
    z[1, 2] = z[2, 3] = z[3, 1] = z[3, 2] = z[3, 3] = 1
    z[3, 11:14] = 1
    for _ in range(30):
        n = (z[:-2, :-2] + z[:-2, 1:-1] + z[:-2, 2:] + z[1:-1, :-2] + z[1:-1, 2:] + z[2:, :-2] + z[2:, 1:-1] +
             z[2:, 2:])
        birth = (n == 3) & (z[1:-1, 1:-1] == 0)
        survive = ((n == 2) | (n == 3)) & (z[1:-1, 1:-1] == 1)
        z[...] = 0
        z[1:-1, 1:-1][birth | survive] = 1
    return z


def cumulative_sums(xp):
    """Prefix sums by the log-step (Hillis-Steele) scan: overlapping slice updates."""
    x = xp.asarray(numpy.arange(1, 101, dtype=numpy.int64) % 7)
    s = x * 1
    shift = 1
    while shift < s.shape[0]:
        s[shift:] = s[shift:] + s[:-shift]
        shift *= 2
    window = s[5:] - s[:-5]  # moving sums of width 5 from the prefix sums
    return (s, window, xp.cumsum(x)) if HAVE_CUMSUM else (s, window)


def histogram_counting(xp):
    """Counting values per bin without bincount: bin ids by floor division, one mask per bin."""
    vals = xp.asarray(numpy.random.default_rng(4).uniform(0, 10, size=500))
    ids = (vals // 2.5).astype(xp.int64)
    counts = xp.zeros(4, dtype=xp.int64)
    for b in range(4):
        counts[b] = xp.flatnonzero(ids == b).shape[0]
    return ids, counts


def where_usage(xp):
    x = xp.asarray(numpy.linspace(-3, 3, 25).reshape(5, 5))
    leaky = xp.where(x > 0, x, 0.1 * x)
    rows, cols = xp.where(xp.abs(x) < 1)
    sign = xp.where(x > 0, 1, xp.where(x < 0, -1, 0))
    return leaky, rows, cols, sign


def fancy_gather_scatter(xp):
    rng = numpy.random.default_rng(5)
    x = xp.asarray(rng.normal(size=(12, 4)))
    perm = xp.asarray(rng.permutation(12))
    shuffled = x[perm]
    inv = xp.zeros(12, dtype=xp.int64)
    inv[perm] = xp.arange(12)
    restored = shuffled[inv]
    y = xp.zeros((6, 6))
    r = xp.asarray([0, 1, 2, 5, 5])
    c = xp.asarray([5, 4, 3, 0, 0])
    y[r, c] = xp.asarray([1.0, 2.0, 3.0, 4.0, 5.0])  # the duplicate keeps the last value
    y[r, c] += 10  # no accumulation of duplicates
    corners = y[xp.asarray([[0], [5]]), xp.asarray([0, 5])]
    picks = xp.take_along_axis(x, xp.asarray(rng.integers(0, 4, size=(12, 1))), axis=1)
    return shuffled, restored, y, corners, picks


def mandelbrot(xp):
    """Escape-time counts on a small grid, iterating only the points still inside (masked updates)."""
    re = xp.linspace(-2.0, 0.6, 40)
    im = xp.linspace(-1.2, 1.2, 30)
    c = re[None, :] + 1j * im[:, None]
    z = xp.zeros(c.shape, dtype=xp.complex128)
    counts = xp.zeros(c.shape, dtype=xp.int64)
    for _ in range(20):
        inside = xp.abs(z) <= 2
        z[inside] = z[inside] ** 2 + c[inside]
        counts[inside] += 1
    return counts


def stencil_1d_with_roll_and_pad(xp):
    """A periodic 1-d diffusion step by roll, a padded one by pad, and a concatenated history."""
    u = xp.asarray(numpy.sin(numpy.linspace(0, 2 * numpy.pi, 40)))
    history = [u]
    for _ in range(10):
        u = u + 0.2 * (xp.roll(u, 1) - 2 * u + xp.roll(u, -1))
        history.append(u)
    p = xp.pad(u, 1, mode="edge")
    v = p[:-2] + p[2:] - 2 * p[1:-1]
    return xp.stack(history), xp.concatenate([u, v]), xp.tile(u[:3], (2, 2))


PROGRAMS = [heat_jacobi, pairwise_distances, column_means_and_row_normalisation, boolean_masking, game_of_life,
            cumulative_sums, histogram_counting, where_usage, fancy_gather_scatter, mandelbrot,
            stencil_1d_with_roll_and_pad]


@pytest.fixture(params=PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def program_results(request):
    """Runs the same program with numpy and with ember; returns both results."""
    return request.param(numpy), request.param(ember)


def _flat(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def test_program_matches_numpy(program_results):
    expected, got = program_results
    expected, got = _flat(expected), _flat(got)
    assert len(expected) == len(got)
    for e, g in zip(expected, got):
        if isinstance(e, int):
            assert e == g
        else:
            assert_matches(g, e, rtol=1e-10, atol=1e-12)


def test_programs_compute_the_right_thing():
    """Sanity of the programs themselves (so a wrong program cannot match by accident)."""
    s = cumulative_sums(numpy)[0]
    numpy.testing.assert_array_equal(s, numpy.cumsum(numpy.arange(1, 101) % 7))
    ids, counts = histogram_counting(numpy)
    numpy.testing.assert_array_equal(counts, numpy.bincount(ids, minlength=4))
    z = game_of_life(numpy)
    assert z.sum() == 8  # glider (5) + blinker (3)
