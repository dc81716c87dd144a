"""k-means clustering (Lloyd's algorithm), the iterations inside @em.jit.

    PYTHONPATH=python python examples/kmeans.py            # 250 points/3 clusters, then 10^6 points/8 clusters
    PYTHONPATH=python python examples/kmeans.py --small    # 250/3 and 20000/8 (for the tests)

Two variants: `kmeans` runs a fixed number of iterations (a Python loop over a Python int, which
unrolls); `kmeans_converge` loops `while` the centroids still move, a condition on array values
that @em.jit compiles into a while_loop. Both are written once against an array module `xp`; the
script runs them with xp = numpy and, jitted, with xp = ember, and exits non-zero unless the labels
agree and the centroids match to rounding."""
import argparse
import time

import numpy as np

import ember as em


def make_data(n, k, d=2, seed=0):
    """n points around k well-separated centres in d dimensions, and k distinct points as the start."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-40.0, 40.0, size=(k, d))
    x = centres[rng.integers(0, k, n)] + rng.normal(size=(n, d))
    return x, x[rng.choice(n, k, replace=False)]


def assign(xp, x, c):
    """The index of the nearest centroid for each point: (n, d), (k, d) -> (n,)."""
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    return xp.argmin(d2, axis=1)


def update(xp, x, labels, c):
    """The mean of each cluster's points; a cluster that lost all its points keeps its centroid."""
    k = c.shape[0]
    onehot = (labels[:, None] == xp.arange(k)).astype(x.dtype)    # (n, k)
    counts = onehot.sum(axis=0)
    sums = onehot.T @ x                                             # (k, d)
    return xp.where(counts[:, None] > 0, sums / xp.maximum(counts, 1.0)[:, None], c)


def kmeans(xp, x, init, iters=10):
    """`iters` Lloyd iterations from the centroids `init`; returns (centroids, labels)."""
    c = init
    for _ in range(iters):
        c = update(xp, x, assign(xp, x, c), c)
    return c, assign(xp, x, c)


def kmeans_converge(xp, x, init, tol=1e-3, max_iters=50):
    """Lloyd iterations while some centroid moves by more than `tol` (and at most `max_iters`);
    returns (centroids, labels, iterations run)."""
    c = init
    shift = xp.asarray(xp.inf)
    it = xp.asarray(0)
    while (shift > tol) & (it < max_iters):
        new = update(xp, x, assign(xp, x, c), c)
        shift = xp.max(xp.abs(new - c))
        c = new
        it = it + 1
    return c, assign(xp, x, c), it


kmeans_jit = em.jit(kmeans, static_argnums=(0,), static_argnames=("iters",))
kmeans_converge_jit = em.jit(kmeans_converge, static_argnums=(0,), static_argnames=("tol", "max_iters"))


def check(name, c_em, labels_em, c_np, labels_np):
    """Exits non-zero unless ember's labels are numpy's and the centroids agree to rounding."""
    same = int(np.sum(labels_em == labels_np))
    diff = float(np.max(np.abs(c_em - c_np)))
    print(f"  {name}: labels agree on {same}/{labels_np.size} points, max |centroid difference| = {diff:.3e}")
    if same != labels_np.size or diff > 1e-9 * max(1.0, float(np.max(np.abs(c_np)))):
        raise SystemExit(f"{name}: ember and numpy disagree")


def run(n, k, iters):
    x, init = make_data(n, k)
    xe, ie = em.asarray(x), em.asarray(init)
    print(f"k-means: {n} points, {k} clusters")

    t0 = time.perf_counter()
    c_np, labels_np = kmeans(np, x, init, iters=iters)
    t_np = time.perf_counter() - t0
    kmeans_jit(em, xe, ie, iters=iters)[0].numpy()                 # first call: traces and compiles
    t0 = time.perf_counter()
    c_em, labels_em = kmeans_jit(em, xe, ie, iters=iters)
    c_em, labels_em = c_em.numpy(), labels_em.numpy()
    t_em = time.perf_counter() - t0
    check(f"{iters} iterations", c_em, labels_em, c_np, labels_np)
    print(f"    time: numpy {t_np * 1e3:.1f} ms  ember jit {t_em * 1e3:.1f} ms")

    c_np, labels_np, it_np = kmeans_converge(np, x, init)
    c_em, labels_em, it_em = kmeans_converge_jit(em, xe, ie)
    check("until converged", c_em.numpy(), labels_em.numpy(), c_np, labels_np)
    print(f"    iterations run: numpy {int(it_np)}  ember {int(it_em)}")
    if int(it_np) != int(it_em):
        raise SystemExit("until converged: ember and numpy ran a different number of iterations")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--small", action="store_true", help="the large run with 20000 points (for the tests)")
    args = ap.parse_args()
    run(250, 3, args.iters)
    run(20_000 if args.small else 10**6, 8, args.iters)


if __name__ == "__main__":
    main()
