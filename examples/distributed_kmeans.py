"""k-means with the points split over MPI ranks (Lloyd's algorithm).

    mpirun -n 2 python examples/distributed_kmeans.py            # 10^6 points
    python examples/distributed_kmeans.py                         # the same program on one process

Each iteration: local distances and labels (no communication), then the new centroids from two
all_sums of k and k*d numbers. The program is ordinary NumPy-style code on ember arrays: the points
are a ShardedArray, the centroids a replicated Array. With --small it also checks the result against
a plain single-process ember run and prints one RESULT line (rank 0), for the tests."""
import argparse
import time

import numpy as np

import ember as em
import ember.distributed as dist


def make_data(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(k, d))
    x = centers[rng.integers(0, k, n)] + rng.normal(size=(n, d))
    return x, x[:k].copy()  # initial centroids: the first k points, the same on every rank


def kmeans(x, init, iters):
    """x: (n, d) points (a ShardedArray split along rows, or an ember Array); init: (k, d) centroids."""
    k = init.shape[0]
    c = em.asarray(init)
    xx = (x * x).sum(axis=1, keepdims=True)                  # (n, 1), computed once
    for _ in range(iters):
        d2 = xx - 2.0 * (x @ c.T) + (c * c).sum(axis=1)       # (n, k) squared distances, local
        labels = dist.argmin(d2, axis=1)                       # (n,), local
        onehot = (labels[:, None] == em.arange(k)).astype(em.float64)  # (n, k)
        counts = onehot.sum(axis=0)                            # all_sum of k numbers
        sums = onehot.T @ x                                    # (k, d): local product + all_sum
        c = em.where(counts[:, None] > 0, sums / em.maximum(counts, 1.0)[:, None], c)
        em.eval(c)                                             # one iteration per step of the graph
    inertia = dist.min(xx - 2.0 * (x @ c.T) + (c * c).sum(axis=1), axis=1).sum()
    return c, inertia


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**6)
    ap.add_argument("--d", type=int, default=4)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--small", action="store_true", help="2000 points, check against one process")
    args = ap.parse_args()
    if args.small:
        args.n = 2000
    data, init = make_data(args.n, args.d, args.k)
    x = dist.shard(em.asarray(data), axis=0)
    em.eval(x.local)
    dist.barrier()
    t0 = time.perf_counter()
    c, inertia = kmeans(x, init, args.iters)
    c, inertia = c.numpy(), float(inertia)
    seconds = time.perf_counter() - t0
    if dist.rank() == 0:
        print(f"ranks={dist.size()} n={args.n} iters={args.iters} time={seconds:.4f}s inertia={inertia:.6f}")
        if args.small:
            c1, inertia1 = kmeans(em.asarray(data), init, args.iters)  # plain single-process ember
            np.testing.assert_allclose(c, c1.numpy(), rtol=1e-9, atol=1e-9)
            assert abs(inertia - float(inertia1)) <= 1e-9 * abs(inertia)
            print("RESULT", np.round(c, 6).ravel().tolist(), f"{inertia:.4f}")


if __name__ == "__main__":
    main()
