"""Linear regression two ways under @em.jit: the normal equations, and gradient descent.

    PYTHONPATH=python python examples/linear_regression.py            # 10^5 x 30, 100 descent steps
    PYTHONPATH=python python examples/linear_regression.py --small    # 500 x 10, 100 descent steps

Both fit y ~ X w + b by least squares: `normal_equations` solves (A^T A) w = A^T y with A = [1 X] by
em.linalg.solve; `gradient_descent` takes `iters` steps on the mean squared error, the loop inside the
jitted function. They are written once against an array module `xp`: the script runs each with
xp = numpy and, jitted, with xp = ember, and exits non-zero unless they agree to rounding."""
import argparse
import time

import numpy as np

import ember as em


def make_data(n, d, seed=0):
    """Features (standard normal), targets y = X w_true + 3 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + 3.0 + 0.5 * rng.normal(size=n)
    return x, y


def design(xp, x):
    """[1 X]: a column of ones for the intercept, then the features."""
    return xp.concatenate([xp.ones((x.shape[0], 1)), x], axis=1)


def normal_equations(xp, x, y):
    """The exact least-squares coefficients (intercept first)."""
    a = design(xp, x)
    return xp.linalg.solve(a.T @ a, a.T @ y)


def gradient_descent(xp, x, y, iters=100, lr=0.5):
    """`iters` full-batch gradient steps on mean((A w - y)^2) / 2 from w = 0 (intercept first)."""
    a = design(xp, x)
    n = a.shape[0]
    w = xp.zeros(a.shape[1])
    for _ in range(iters):
        w = w - lr * (a.T @ (a @ w - y)) / n
    return w


normal_equations_jit = em.jit(normal_equations, static_argnums=(0,))
gradient_descent_jit = em.jit(gradient_descent, static_argnums=(0,), static_argnames=("iters", "lr"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=30)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--small", action="store_true", help="500 x 10 (for the tests)")
    args = ap.parse_args()
    if args.small:
        args.n, args.d = 500, 10
    x, y = make_data(args.n, args.d)
    xe, ye = em.asarray(x), em.asarray(y)
    print(f"linear regression: {args.n} x {args.d}")
    worst = 0.0
    for name, f, fj, kw in (("normal equations", normal_equations, normal_equations_jit, {}),
                            ("gradient descent", gradient_descent, gradient_descent_jit, {"iters": args.iters})):
        t0 = time.perf_counter()
        w_np = f(np, x, y, **kw)
        t_np = time.perf_counter() - t0
        fj(em, xe, ye, **kw).numpy()                                 # first call: traces and compiles
        t0 = time.perf_counter()
        w_em = fj(em, xe, ye, **kw).numpy()
        t_em = time.perf_counter() - t0
        diff = float(np.max(np.abs(w_em - w_np)))
        worst = max(worst, diff)
        mse = float(np.mean((design(np, x) @ w_em - y) ** 2))
        print(f"  {name}: intercept {w_em[0]:.6f}, mse {mse:.6f}, max |w ember - w numpy| = {diff:.3e}; "
              f"time numpy {t_np * 1e3:.1f} ms, ember jit {t_em * 1e3:.1f} ms")
        if name == "normal equations":
            w_exact = w_np
    gap = float(np.max(np.abs(gradient_descent(np, x, y, iters=args.iters) - w_exact)))
    print(f"  gradient descent is within {gap:.1e} of the normal-equation solution")
    if worst > 1e-9 * max(1.0, float(np.max(np.abs(w_exact)))):
        raise SystemExit(f"ember and numpy disagree: coefficient difference {worst:.3e}")


if __name__ == "__main__":
    main()
