#!/usr/bin/python3
"""A partition strategy written in Python, compared with DPFP over a bandwidth sweep.

"offload": the whole model on the fastest device; the input goes there and the result comes
back (the built-in `local` with device "fastest" does the same; this shows how a strategy is
built). Run from the repository root after building (make build):

    PYTHONPATH=build/python /usr/bin/python3 examples/python_strategy.py [--plot bandwidth.png]

or, after `cmake --install build` (README "Python"), without PYTHONPATH.
"""
import argparse

import edgepart


@edgepart.register_strategy("offload")
def offload(model, cluster):
    b = edgepart.PlanBuilder(model, cluster)
    src = cluster["source"]
    fastest = max(cluster["devices"], key=lambda d: (d["speed_gflops"], -d["index"]))["index"]
    last = len(model["layers"]) - 1
    stage = b.whole_stage(fastest, 0, last)
    deps = b.transfer(src, fastest, b.tensor_bytes(-1), b.whole_piece(-1), name="input", stage=stage)
    c = b.compute(fastest, stage, deps, activation_bytes=b.peak_activation_bytes(0, last),
                  weight_bytes=b.weight_bytes(0, last))
    b.transfer(fastest, src, b.tensor_bytes(last), b.whole_piece(last), [c], name="result", stage=stage)
    b.note(f"everything on {cluster['devices'][fastest]['name']}")
    return b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/default.json")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--plot", help="write a matplotlib figure to this file (PNG, SVG, ...)")
    args = parser.parse_args()

    bandwidths_mbps = [5, 10, 20, 50, 100, 200]
    # The Python strategy runs beside the built-in ones at every point (planned under the GIL,
    # simulated on the sweep's threads). A constant channel (a one-value axis), so that the links
    # run at the swept rate (the default scenario's Rayleigh fading draws its own rates;
    # bandwidth_mbps is then only the planning rate).
    swept = edgepart.sweep(args.scenario, {"/network/bandwidth_mbps": bandwidths_mbps,
                                           "/network/channel": [{"kind": "constant"}]},
                           strategy=["local", "dpfp", "offload"], requests=args.requests, jobs=2)
    rows = [{"bandwidth_mbps": r["/network/bandwidth_mbps"], **r} for r in swept]

    print(f"{'Mbit/s':>7} {'strategy':>8} {'mean latency (s)':>17} {'speedup':>8}")
    for r in rows:
        print(f"{r['bandwidth_mbps']:>7} {r['strategy']:>8} {r['latency_mean_s']:>17.4f} {r['speedup']:>8.2f}")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        for name in ("local", "dpfp", "offload"):
            ax.plot(bandwidths_mbps, [r["latency_mean_s"] for r in rows if r["strategy"] == name], marker="o",
                    label=name)
        ax.set_xscale("log")
        ax.set_xlabel("bandwidth (Mbit/s)")
        ax.set_ylabel("mean latency (s)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
