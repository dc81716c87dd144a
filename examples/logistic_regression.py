"""Logistic regression by full-batch gradient descent, the whole training loop inside @em.jit.

    PYTHONPATH=python python examples/logistic_regression.py            # 569 x 30, 750 iterations
    PYTHONPATH=python python examples/logistic_regression.py --small    # 200 x 30, 50 iterations

The data has the shape of the Wisconsin breast-cancer set that Phylanx used (569 samples, 30 positive
features on very different scales, about 37% positive), generated with a fixed seed. `fit` is written
once against an array module `xp`: the script runs it with xp = numpy and, jitted, with xp = ember,
prints both accuracies and the largest difference between the two weight vectors, and exits non-zero
if they differ by more than rounding."""
import argparse
import time

import numpy as np

import ember as em


def make_data(n=569, d=30, seed=0):
    """Two classes of positive features whose scales span five orders of magnitude, so that the
    standardisation in `fit` matters, as with the real set."""
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.37).astype(np.float64)
    shift = rng.normal(scale=0.8, size=d)             # class separation per feature, in units of spread
    scale = 10.0 ** rng.uniform(-2, 3, size=d)
    x = np.abs(rng.normal(size=(n, d)) + 3.0 + y[:, None] * shift) * scale
    return x, y


def fit(xp, x, y, iters=750, lr=0.1):
    """Standardises the features and runs `iters` steps of gradient descent on the mean log-loss.
    Returns (w, b): weights on the standardised features and the intercept."""
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    n, d = z.shape
    w = xp.zeros(d)
    b = xp.zeros(())
    for _ in range(iters):
        p = 1.0 / (1.0 + xp.exp(-(z @ w + b)))
        err = p - y
        w = w - lr * (z.T @ err) / n
        b = b - lr * err.mean()
    return w, b


def accuracy(xp, x, y, w, b):
    """The fraction of samples whose predicted class (p > 0.5) is the label."""
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    return ((z @ w + b > 0.0) == (y > 0.5)).mean()


# xp picks the array module, iters and lr the loop: all fixed per compiled plan.
fit_jit = em.jit(fit, static_argnums=(0,), static_argnames=("iters", "lr"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=569)
    ap.add_argument("--d", type=int, default=30)
    ap.add_argument("--iters", type=int, default=750)
    ap.add_argument("--small", action="store_true", help="200 samples, 50 iterations (for the tests)")
    args = ap.parse_args()
    if args.small:
        args.n, args.iters = 200, 50
    x, y = make_data(args.n, args.d)

    t0 = time.perf_counter()
    w_np, b_np = fit(np, x, y, iters=args.iters)
    t_np = time.perf_counter() - t0

    xe, ye = em.asarray(x), em.asarray(y)
    t0 = time.perf_counter()
    w_em, b_em = fit_jit(em, xe, ye, iters=args.iters)           # first call: traces and compiles
    w_em, b_em = w_em.numpy(), float(b_em)
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    w_em, b_em = fit_jit(em, xe, ye, iters=args.iters)           # later calls replay the cached plan
    w_em, b_em = w_em.numpy(), float(b_em)
    t_em = time.perf_counter() - t0

    acc_np = float(accuracy(np, x, y, w_np, b_np))
    acc_em = float(accuracy(em, xe, ye, em.asarray(w_em), b_em))
    diff = max(float(np.max(np.abs(w_em - w_np))), abs(b_em - float(b_np)))
    print(f"logistic regression: {args.n} x {args.d}, {args.iters} iterations")
    print(f"  accuracy: numpy {acc_np:.4f}  ember {acc_em:.4f}")
    print(f"  max |weights ember - weights numpy| = {diff:.3e}")
    print(f"  time: numpy {t_np * 1e3:.1f} ms  ember jit {t_em * 1e3:.1f} ms (first call {t_first * 1e3:.1f} ms)")
    tol = 1e-9 * max(1.0, float(np.max(np.abs(w_np))))
    if diff > tol or acc_np != acc_em:
        raise SystemExit(f"ember and numpy disagree: weight difference {diff:.3e} (allowed {tol:.1e}), "
                         f"accuracy {acc_em} vs {acc_np}")


if __name__ == "__main__":
    main()
