"""A jitted logistic-regression step, and everything introspection shows about it:
the plan, the graph as text / Graphviz DOT / SVG, a per-line profile and a Chrome trace.

    PYTHONPATH=python python examples/jit_introspection.py [--out DIR]

Writes DIR/logreg.dot, DIR/logreg.svg (when Graphviz's `dot` is installed) and DIR/run.json (open
it in https://ui.perfetto.dev or chrome://tracing); prints the plan, the graph and the profile."""
import argparse
import os
import shutil

import numpy as np

import ember as em


@em.jit
def fit(X, y, w, lr, iters):
    """Gradient descent on the logistic loss; `iters` is an array, so the loop stays in the graph."""
    i = 0
    while i < iters:
        p = 1.0 / (1.0 + em.exp(-(X @ w)))
        w = w - lr * (X.T @ (p - y)) / X.shape[0]
        i += 1
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="introspection_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rng = np.random.default_rng(0)
    X = em.asarray(rng.standard_normal((569, 30)))
    y = em.asarray((rng.random(569) < 0.4).astype(np.float64))
    w0, iters = em.zeros(30), em.asarray(750)

    print(fit.lower(X, y, w0, 0.1, iters))  # the cached plan
    print(em.explain(fit, X, y, w0, 0.1, iters))  # the graph, Kernels as groups, loop body listed
    dot = em.to_dot(fit, X, y, w0, 0.1, iters, path=os.path.join(args.out, "logreg.dot"))
    print(f"wrote {args.out}/logreg.dot ({len(dot)} characters)")
    if shutil.which("dot"):
        em.to_svg(fit, X, y, w0, 0.1, iters, path=os.path.join(args.out, "logreg.svg"))
        print(f"wrote {args.out}/logreg.svg")
    else:
        print("Graphviz `dot` is not installed: no SVG (apt-get install graphviz)")

    with em.profile() as prof, em.trace(os.path.join(args.out, "run.json")):
        w = fit(X, y, w0, 0.1, iters)
        acc = float(em.mean(((X @ w) > 0) == (y > 0.5)))
    print(prof)
    print(f"wrote {args.out}/run.json; training accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
