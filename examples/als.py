"""Matrix factorisation by alternating least squares, the sweeps inside @em.jit.

    PYTHONPATH=python python examples/als.py            # 500 x 400 ratings (20% observed), rank 10, 5 sweeps
    PYTHONPATH=python python examples/als.py --small    # 60 x 50, rank 4, 3 sweeps (for the tests)

Find U (m x k) and V (n x k) minimising sum over observed (i, j) of (R_ij - U_i . V_j)^2 plus
lam * (|U|^2 + |V|^2). Each half-sweep fixes one factor and solves a small regularised k x k system
per row of the other, all rows at once as one batched em.linalg.solve. `als` is written once against
an array module `xp`: the script runs it with xp = numpy and, jitted, with xp = ember, and exits
non-zero unless the factors agree to rounding."""
import argparse
import time

import numpy as np

import ember as em


def make_data(m, n, rank, density=0.2, seed=0):
    """Ratings R = A B^T + noise from a rank-`rank` truth, the mask W of observed entries (1.0 where
    observed), and small random starting factors."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(m, rank)), rng.normal(size=(n, rank))
    r = a @ b.T + 0.1 * rng.normal(size=(m, n))
    w = (rng.uniform(size=(m, n)) < density).astype(np.float64)
    return r * w, w, 0.1 * rng.normal(size=(m, rank)), 0.1 * rng.normal(size=(n, rank))


def solve_rows(xp, r, w, v, reg):
    """For every row i: (V^T diag(w_i) V + reg) u_i = V^T diag(w_i) r_i, solved as one batch."""
    a = (w[:, None, :] * v.T[None, :, :]) @ v               # (m, k, n) @ (n, k) -> (m, k, k)
    b = (w * r) @ v                                         # (m, k)
    return xp.linalg.solve(a + reg, b[:, :, None])[:, :, 0]


def als(xp, r, w, u, v, sweeps=5, lam=0.1):
    """`sweeps` alternating updates of U then V from the starting factors (u, v); returns (U, V)."""
    reg = lam * xp.eye(u.shape[1])
    for _ in range(sweeps):
        u = solve_rows(xp, r, w, v, reg)
        v = solve_rows(xp, r.T, w.T, u, reg)
    return u, v


def rmse(xp, r, w, u, v):
    """Root mean square error of U V^T over the observed entries."""
    e = w * (r - u @ v.T)
    return xp.sqrt((e * e).sum() / w.sum())


als_jit = em.jit(als, static_argnums=(0,), static_argnames=("sweeps", "lam"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", type=int, default=500)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--rank", type=int, default=10)
    ap.add_argument("--sweeps", type=int, default=5)
    ap.add_argument("--small", action="store_true", help="60 x 50, rank 4, 3 sweeps (for the tests)")
    args = ap.parse_args()
    if args.small:
        args.m, args.n, args.rank, args.sweeps = 60, 50, 4, 3
    r, w, u0, v0 = make_data(args.m, args.n, args.rank)

    t0 = time.perf_counter()
    u_np, v_np = als(np, r, w, u0, v0, sweeps=args.sweeps)
    t_np = time.perf_counter() - t0
    ins = [em.asarray(a) for a in (r, w, u0, v0)]
    als_jit(em, *ins, sweeps=args.sweeps)[0].numpy()              # first call: traces and compiles
    t0 = time.perf_counter()
    u_em, v_em = als_jit(em, *ins, sweeps=args.sweeps)
    u_em, v_em = u_em.numpy(), v_em.numpy()
    t_em = time.perf_counter() - t0

    diff = max(float(np.max(np.abs(u_em - u_np))), float(np.max(np.abs(v_em - v_np))))
    print(f"ALS: {args.m} x {args.n} ratings ({int(w.sum())} observed), rank {args.rank}, {args.sweeps} sweeps")
    print(f"  training rmse: numpy {float(rmse(np, r, w, u_np, v_np)):.6f}  "
          f"ember {float(rmse(em, ins[0], ins[1], em.asarray(u_em), em.asarray(v_em))):.6f}")
    print(f"  max |factors ember - factors numpy| = {diff:.3e}")
    print(f"  time: numpy {t_np * 1e3:.1f} ms  ember jit {t_em * 1e3:.1f} ms")
    if diff > 1e-8 * max(1.0, float(np.max(np.abs(u_np))), float(np.max(np.abs(v_np)))):
        raise SystemExit(f"ember and numpy disagree: factor difference {diff:.3e}")


if __name__ == "__main__":
    main()
