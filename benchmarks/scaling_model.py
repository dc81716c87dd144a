"""The scaling model of docs/distributed.md, from a benchmarks/distributed.py result:

    T(P) = t_c * n / P + o + C(P),   S(P) = T(1) / T(P),   C(P) = m * alpha * ceil(log2 P)

t_c is the 1-rank time per element (per point and iteration for k-means) of the measured run; o and
alpha are the stated assumptions (see the doc). Prints the markdown table.

    python benchmarks/scaling_model.py [benchmarks/results/distributed.json]"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA_US = 2.0  # per collective step between nodes (a typical InfiniBand small-message latency)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "distributed.json")
    one = json.load(open(path))["ranks_1"]
    iters, n_points, n_elem = 10, 10**6, 2 * 10**7  # the benchmark's defaults
    # workload: (t_c in ms per unit, units of the measured run, o in ms, collectives per iteration)
    workloads = {
        "k-means": (one["kmeans_s"] * 1e3 / iters / n_points, [10**6, 10**8], 0.247, 6),
        "elementwise+sum": (one["elementwise_s"] * 1e3 / n_elem, [2 * 10**7, 2 * 10**9], 0.100, 3),
    }
    print(f"t_c: k-means {workloads['k-means'][0] * 1e6:.1f} ns per point and iteration, "
          f"elementwise+sum {workloads['elementwise+sum'][0] * 1e6:.2f} ns per element (1 rank, measured)\n")
    print("| workload | P | compute (ms) | o (ms) | C(P) (us) | predicted S(P) | efficiency |")
    print("|---|---|---|---|---|---|---|")
    for name, (tc, sizes, o, m) in workloads.items():
        for n in sizes:
            t1 = tc * n + o
            for p in ([2, 8, 32, 128, 512, 2048] if name == "k-means" else [2, 32, 512, 2048]):
                c_us = m * ALPHA_US * math.ceil(math.log2(p))
                tp = tc * n / p + o + c_us / 1e3
                s = t1 / tp
                print(f"| {name}, n = {n:.0e} | {p} | {tc * n / p:.3f} | {o:.3f} | {c_us:.0f} | {s:.1f} | {s / p:.0%} |")


if __name__ == "__main__":
    main()
