"""One k-means step on ember's pim device, with its cycle / energy profile per op and Python line.

Every op below runs in (simulated) memory: distances by broadcasting and squaring, the nearest
centroid by a running compare-and-select, the new centroids by masked sums along an axis.

    PYTHONPATH=python python examples/pim_kmeans.py
"""
import numpy as np

import ember as em
import ember.pim

N, K = 4096, 3
rng = np.random.default_rng(0)
centers = np.array([[-4.0, 0.0], [3.0, 3.0], [3.0, -3.0]], dtype=np.float32)
points = (centers[rng.integers(0, K, N)] + rng.standard_normal((N, 2))).astype(np.float32)
init = points[:K].copy()


def kmeans_step(x, c):
    d = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=-1)  # (N, K) squared distances
    best, label = d[:, 0], em.zeros(N, dtype=em.int32, device=x.device)
    for j in range(1, K):
        closer = d[:, j] < best
        best = em.where(closer, d[:, j], best)
        label = em.where(closer, j, label)
    new = []
    for j in range(K):
        mine = label == j
        total = em.where(mine[:, None], x, 0.0).sum(axis=0)
        count = mine.astype(em.float32).sum()
        new.append(total / count)
    return new, label  # K centroids, each a (2,) pim array


x = em.asarray(points, device="pim")
c = em.asarray(init, device="pim")
em.pim.reset_metrics()
with em.pim.profile() as prof:
    new, label = kmeans_step(x, c)
    got = np.stack([v.numpy() for v in new])
    labels = label.numpy()

# The same step in NumPy.
d = ((points[:, None, :] - init[None]) ** 2).sum(-1)
ref_labels = d.argmin(1)
ref = np.stack([points[ref_labels == j].sum(0) / (ref_labels == j).sum() for j in range(K)]).astype(np.float32)
print("labels equal NumPy's:", bool((labels == ref_labels).all()))
print("new centroids (pim):\n", got)
print("max |pim - NumPy|:", float(np.abs(got - ref).max()))
prof.print()
