#!/usr/bin/env python3
"""The runtime's own overhead in a real run (docs/runtime.md "Overheads"), from `edgepart run
--format json` output: per compute task, the span minus the executor's time inside it, plus the
gap before the next task of the same device and request when that task was ready at once (its
inputs were local); per transfer, the measured time minus the emulated wire time
(latency + bytes * 8 / bandwidth). Prints medians and 90th percentiles.
Usage: tools/runtime_overheads.py RUN.json BANDWIDTH_MBPS LATENCY_MS"""
import json
import statistics
import sys


def quantile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def main():
    run, mbps, latency_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    report = json.load(open(run))
    for strategy, m in report["measured"].items():
        in_span = [t["end_s"] - t["start_s"] - t["executor_s"] for t in m["tasks"]]
        by_device = {}
        for t in m["tasks"]:
            by_device.setdefault((t["request"], t["device"]), []).append(t)
        gaps = []
        for tasks in by_device.values():
            tasks.sort(key=lambda t: t["start_s"])
            gaps += [b["start_s"] - a["end_s"] for a, b in zip(tasks, tasks[1:])]
        wire = [x["end_s"] - x["start_s"] - latency_ms / 1e3 - x["bytes"] * 8 / (mbps * 1e6) for x in m["transfers"]]
        print(f"{strategy}: {len(in_span)} tasks, in-span overhead median {1e3 * statistics.median(in_span):.3f} ms "
              f"(p90 {1e3 * quantile(in_span, 0.9):.3f}); gap to the device's next task median "
              f"{1e3 * statistics.median(gaps) if gaps else float('nan'):.3f} ms; "
              f"{len(wire)} transfers, time beyond latency + bytes/bandwidth median "
              f"{1e3 * statistics.median(wire) if wire else float('nan'):.3f} ms (p90 {1e3 * quantile(wire, 0.9):.3f})")


if __name__ == "__main__":
    main()
