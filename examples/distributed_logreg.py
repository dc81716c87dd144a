"""Logistic regression by full-batch gradient descent with the samples split over MPI ranks.

    mpirun -n 2 python examples/distributed_logreg.py
    python examples/distributed_logreg.py                         # the same program on one process

Each step: local predictions (no communication), the gradient X.T @ (p - y) as a local product plus
one all_sum of d numbers, and the loss as a sharded reduction. With --small it also checks the
result against a plain single-process ember run and prints one RESULT line (rank 0), for the tests."""
import argparse
import time

import numpy as np

import ember as em
import ember.distributed as dist


def make_data(n, d, seed=1):
    rng = np.random.default_rng(seed)
    w_true = rng.normal(size=d)
    x = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-x @ w_true))).astype(np.float64)
    return x, y


def fit(x, y, steps, lr=0.5):
    """x: (n, d) samples, y: (n,) labels in {0, 1}; sharded along the samples or plain ember Arrays."""
    n, d = x.shape
    w = em.zeros(d)
    for _ in range(steps):
        p = 1.0 / (1.0 + dist.exp(-(x @ w)))         # (n,), local
        w = w - lr * (x.T @ (p - y)) / n              # gradient: local product + all_sum of d numbers
        em.eval(w)
    p = 1.0 / (1.0 + dist.exp(-(x @ w)))
    eps = 1e-12
    loss = -(y * dist.log(p + eps) + (1.0 - y) * dist.log(1.0 - p + eps)).mean()
    accuracy = ((p > 0.5) == (y > 0.5)).mean()
    return w, loss, accuracy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10**6)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--small", action="store_true", help="3000 samples, check against one process")
    args = ap.parse_args()
    if args.small:
        args.n = 3000
    xs, ys = make_data(args.n, args.d)
    x, y = dist.shard(em.asarray(xs)), dist.shard(em.asarray(ys))
    em.eval(x.local, y.local)
    dist.barrier()
    t0 = time.perf_counter()
    w, loss, acc = fit(x, y, args.steps)
    w, loss, acc = w.numpy(), float(loss), float(acc)
    seconds = time.perf_counter() - t0
    if dist.rank() == 0:
        print(f"ranks={dist.size()} n={args.n} steps={args.steps} time={seconds:.4f}s loss={loss:.6f} "
              f"accuracy={acc:.4f}")
        if args.small:
            w1, loss1, acc1 = fit(em.asarray(xs), em.asarray(ys), args.steps)  # plain single-process ember
            np.testing.assert_allclose(w, w1.numpy(), rtol=1e-9, atol=1e-12)
            assert abs(loss - float(loss1)) <= 1e-9 and acc == float(acc1)
            print("RESULT", np.round(w, 6).tolist(), f"{loss:.6f}", f"{acc:.4f}")


if __name__ == "__main__":
    main()
