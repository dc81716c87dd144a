"""The logistic-regression predictor (examples/logistic_regression.py), exported to ONNX in fp32 and
int8 and run in ONNX Runtime, with its accuracy next to ember's own.

    PYTHONPATH=python python examples/onnx_logreg.py [--small] [--out DIR] [--per-channel] [--pow2]

The model is trained with the jitted `fit` of examples/logistic_regression.py on 569 x 30 data
(the breast-cancer set's shape); the predictor standardises the features with the training set's
mean and spread (in float), and returns the probability of the positive class. Its parameters are closed over,
so they become initializers of the exported model. Features are float32, as NPUs take them.
Exits non-zero if the fp32 model disagrees with ember or the int8 model loses more than 2 points."""
import argparse
import importlib.util
import os
import tempfile

import numpy as np

import ember as em

HERE = os.path.dirname(os.path.abspath(__file__))


def load_training():
    spec = importlib.util.spec_from_file_location("logistic_regression", os.path.join(HERE, "logistic_regression.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="fewer iterations (for the tests)")
    ap.add_argument("--out", help="folder for the .onnx files (default: a temporary one)")
    ap.add_argument("--per-channel", action="store_true", help="per-channel weight scales")
    ap.add_argument("--pow2", action="store_true", help="power-of-two scales (Ryzen AI XINT8)")
    args = ap.parse_args()
    lr = load_training()
    iters = 100 if args.small else 750

    x, y = lr.make_data(569 * 2, 30, seed=0)  # half to train on, half held out
    xtr, ytr, xte, yte = x[:569], y[:569], x[569:], y[569:]
    w, b = lr.fit_jit(em, em.asarray(xtr), em.asarray(ytr), iters=iters)
    # The predictor in float32 with its parameters closed over: the standardisation stays a float step
    # in front of the product, so int8 quantizes standardised features (the raw ones span five orders
    # of magnitude, which no single int8 scale can hold).
    mean = em.asarray(xtr.mean(axis=0).astype(np.float32))
    std = em.asarray(xtr.std(axis=0).astype(np.float32))
    wf = em.asarray(w.numpy().astype(np.float32))
    bf = em.asarray(np.float32(float(b)))

    @em.jit
    def predict(xb):
        z = (xb - mean) / std
        return 1.0 / (1.0 + em.exp(-(z @ wf + bf)))

    xte32 = xte.astype(np.float32)
    p_ember = predict(em.asarray(xte32)).numpy()
    acc_ember = float(np.mean((p_ember > 0.5) == (yte > 0.5)))

    out = args.out or tempfile.mkdtemp(prefix="ember_onnx_")
    os.makedirs(out, exist_ok=True)
    fp32_path, int8_path = os.path.join(out, "logreg_fp32.onnx"), os.path.join(out, "logreg_int8.onnx")
    em.onnx.export(predict, em.asarray(xte32), path=fp32_path)
    em.quantize(fp32_path, [(xtr.astype(np.float32),)], path=int8_path, per_channel=args.per_channel,
                power_of_two=args.pow2)
    r32 = em.onnx.run(fp32_path, xte32)
    r8 = em.onnx.run(int8_path, xte32)
    acc32 = float(np.mean((np.asarray(r32[0]) > 0.5) == (yte > 0.5)))
    acc8 = float(np.mean((np.asarray(r8[0]) > 0.5) == (yte > 0.5)))
    acc8_ember = float(np.mean((em.onnx.run_ember(int8_path, xte32).numpy() > 0.5) == (yte > 0.5)))  # the int8 model's arithmetic in ember
    gap32 = float(np.max(np.abs(np.asarray(r32[0]) - p_ember)))
    gap8 = float(np.max(np.abs(np.asarray(r8[0]) - p_ember)))

    print(f"logistic-regression predictor: 30 features, trained on 569 samples ({iters} iterations), "
          f"{len(yte)} held out")
    print(f"  accuracy: ember {acc_ember:.4f}   onnx fp32 {acc32:.4f} ({r32.provider})   "
          f"onnx int8 {acc8:.4f} ({r8.provider})   ember int8 {acc8_ember:.4f}")
    print(f"  max |p onnx - p ember|: fp32 {gap32:.2e}   int8 {gap8:.2e}")
    print(f"  size: fp32 {os.path.getsize(fp32_path):,} bytes   int8 {os.path.getsize(int8_path):,} bytes   "
          f"({'per-channel' if args.per_channel else 'per-tensor'}{', power-of-two scales' if args.pow2 else ''})")
    print(f"  models in {out}")
    if gap32 > 1e-5 or acc32 != acc_ember:
        raise SystemExit(f"the fp32 model disagrees with ember: probabilities differ by {gap32:.2e}")
    if abs(acc8_ember - acc8) > 0.01:
        raise SystemExit(f"ember's int8 arithmetic ({acc8_ember:.4f}) disagrees with ONNX Runtime's ({acc8:.4f})")
    if acc8 < acc32 - 0.02:
        raise SystemExit(f"int8 accuracy {acc8:.4f} lost more than 2 points against fp32 {acc32:.4f}")


if __name__ == "__main__":
    main()
