"""A small MLP classifier trained with ember, exported to ONNX in fp32 and int8, run in ONNX Runtime.

    PYTHONPATH=python python examples/onnx_mlp.py [--small] [--out DIR] [--per-channel] [--pow2]

The data: 3 classes of points in 16 dimensions whose labels depend on two of them through a
non-linear boundary (rings), so a linear model cannot fit it and the hidden layer matters. `train`
is plain NumPy-style code against an array module `xp` (run jitted with xp = ember, and with
xp = numpy to check it); the hidden layer uses ReLU and the loss is softmax cross-entropy, with the
gradients written out by hand.

The trained weights are closed over by `logits`, so `em.onnx.export` stores them in the model as
initializers; `em.quantize` makes the QDQ int8 model from calibration samples. The script prints
the accuracy of ember's own predictions, of the fp32 model and of the int8 model in ONNX Runtime
(and which execution provider ran them), of the int8 model's arithmetic run by ember (em.onnx.run_ember), the models' sizes, and exits non-zero if the fp32 model
disagrees with ember or the int8 model loses more than 2 points of accuracy."""
import argparse
import os
import tempfile

import numpy as np

import ember as em


def make_data(n, d=16, seed=0):
    """n points, d features; the class is the ring (by radius in the first two features) a point is in."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    r = np.hypot(x[:, 0], x[:, 1])
    y = np.digitize(r, [0.9, 1.6]).astype(np.int64)  # about a third of the points in each ring
    return x, y


def train(xp, x, y1h, w1, w2, iters=300, lr=0.5):
    """Full-batch gradient descent on the mean softmax cross-entropy of a 1-hidden-layer ReLU net.
    w1 (d, h), w2 (h, k) are the initial weights; returns (w1, b1, w2, b2)."""
    n = x.shape[0]
    b1 = xp.zeros(w1.shape[1], dtype=w1.dtype)
    b2 = xp.zeros(w2.shape[1], dtype=w2.dtype)
    for _ in range(iters):
        z = x @ w1 + b1
        h = xp.maximum(z, 0.0)
        s = h @ w2 + b2
        e = xp.exp(s - xp.max(s, axis=1, keepdims=True))
        p = e / xp.sum(e, axis=1, keepdims=True)
        g = (p - y1h) / n                      # d loss / d s
        dh = (g @ w2.T) * (z > 0.0)
        w2 = w2 - lr * (h.T @ g)
        b2 = b2 - lr * xp.sum(g, axis=0)
        w1 = w1 - lr * (x.T @ dh)
        b1 = b1 - lr * xp.sum(dh, axis=0)
    return w1, b1, w2, b2


train_jit = em.jit(train, static_argnums=(0,), static_argnames=("iters", "lr"))


def initial_weights(d, hidden, k, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=np.sqrt(2.0 / d), size=(d, hidden)), rng.normal(scale=np.sqrt(1.0 / hidden), size=(hidden, k))


def accuracy(logits, y):
    return float(np.mean(np.argmax(np.asarray(logits), axis=1) == y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="fewer samples and iterations (for the tests)")
    ap.add_argument("--out", help="folder for the .onnx files (default: a temporary one)")
    ap.add_argument("--per-channel", action="store_true", help="per-channel weight scales")
    ap.add_argument("--pow2", action="store_true", help="power-of-two scales (Ryzen AI XINT8)")
    args = ap.parse_args()
    n_train, n_test, iters, hidden = (1500, 500, 200, 32) if args.small else (4000, 2000, 400, 64)

    x, y = make_data(n_train + n_test)
    x = x.astype(np.float32)
    xtr, ytr, xte, yte = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    k = 3
    w1, w2 = initial_weights(x.shape[1], hidden, k)
    y1h = np.eye(k, dtype=np.float32)[ytr]
    params = train_jit(em, em.asarray(xtr), em.asarray(y1h), em.asarray(w1.astype(np.float32)),
                       em.asarray(w2.astype(np.float32)), iters=iters)
    # The same training in NumPy: the jitted run must agree with it.
    ref = train(np, xtr, y1h, w1.astype(np.float32), w2.astype(np.float32), iters=iters)
    diff = max(float(np.max(np.abs(p.numpy() - r))) for p, r in zip(params, ref))
    w1, b1, w2, b2 = params

    @em.jit
    def logits(xb):
        return em.maximum(xb @ w1 + b1, 0.0) @ w2 + b2

    acc_train = accuracy(logits(em.asarray(xtr)).numpy(), ytr)
    ember_logits = logits(em.asarray(xte)).numpy()
    acc_ember = accuracy(ember_logits, yte)

    out = args.out or tempfile.mkdtemp(prefix="ember_onnx_")
    os.makedirs(out, exist_ok=True)
    fp32_path, int8_path = os.path.join(out, "mlp_fp32.onnx"), os.path.join(out, "mlp_int8.onnx")
    em.onnx.export(logits, em.asarray(xte), path=fp32_path)
    calibration = [(xtr[i:i + n_test],) for i in range(0, n_train - n_test + 1, n_test)]
    em.quantize(fp32_path, calibration, path=int8_path, per_channel=args.per_channel, power_of_two=args.pow2)

    r32 = em.onnx.run(fp32_path, xte)
    r8 = em.onnx.run(int8_path, xte)
    acc32, acc8 = accuracy(r32[0], yte), accuracy(r8[0], yte)
    acc8_ember = accuracy(np.asarray(em.onnx.run_ember(int8_path, xte).numpy()), yte)  # the int8 model's arithmetic in ember
    gap32 = float(np.max(np.abs(np.asarray(r32[0]) - ember_logits)))

    print(f"MLP {x.shape[1]}-{hidden}-{k}, {n_train} training / {n_test} test samples, {iters} iterations")
    print(f"  max |ember jit - numpy| over the trained weights: {diff:.2e}")
    print(f"  accuracy  train (ember) {acc_train:.4f}")
    print(f"  accuracy  test: ember {acc_ember:.4f}   onnx fp32 {acc32:.4f} ({r32.provider})   "
          f"onnx int8 {acc8:.4f} ({r8.provider})   ember int8 {acc8_ember:.4f}")
    print(f"  max |onnx fp32 logits - ember logits| = {gap32:.2e}")
    print(f"  size: fp32 {os.path.getsize(fp32_path):,} bytes   int8 {os.path.getsize(int8_path):,} bytes   "
          f"({'per-channel' if args.per_channel else 'per-tensor'}{', power-of-two scales' if args.pow2 else ''})")
    print(f"  models in {out}")
    if diff > 1e-3:
        raise SystemExit(f"ember jit and numpy training disagree by {diff:.2e}")
    if gap32 > 1e-4 or acc32 != acc_ember:
        raise SystemExit(f"the fp32 model disagrees with ember: logits differ by {gap32:.2e}")
    if abs(acc8_ember - acc8) > 0.01:
        raise SystemExit(f"ember's int8 arithmetic ({acc8_ember:.4f}) disagrees with ONNX Runtime's ({acc8:.4f})")
    if acc8 < acc32 - 0.02:
        raise SystemExit(f"int8 accuracy {acc8:.4f} lost more than 2 points against fp32 {acc32:.4f}")


if __name__ == "__main__":
    main()
