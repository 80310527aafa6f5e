#!/usr/bin/python3
"""Measure a model's per-layer compute times with PyTorch, as an edgepart profile.

    /usr/bin/python3 tools/profile_torch.py MODEL -o FILE [--runs N] [--warmup N] [--clock wall|cpu]
                                                    [--edgepart BIN]

MODEL is an edgepart JSON model (a path, or a zoo name found as models/NAME.json). Each layer is
built alone as a torch op with random weights (PyTorch, one thread: torch.set_num_threads(1)) and
timed at the heights `edgepart profile` measures (all rows, 1/2, 1/4, 1/8, one row; full width),
on an input crop of exactly the rows those outputs read, with the layer's padding only at the true
borders of the map (docs/formats.md "Profile": a point is output rows [0, rows-1] computed from
exactly the input region they read). Padding that a crop needs on one side only is applied to the
crop before timing (torch's convolution and pooling pad both sides alike), so the timed call does
exactly the layer's arithmetic for the region.

The output is docs/formats.md's "Profile" (runtime "pytorch <version>"). The model hash is the one
`edgepart inspect MODEL --format json` prints (key "hash"), so the profile matches the model in
every edgepart command without a second implementation of the hash here. Needs Debian's
python3-torch (use /usr/bin/python3: a python3 earlier on PATH may lack torch).
"""
import argparse
import json
import math
import os
import platform
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edgepart_model as em  # noqa: E402  (the JSON model reader and its shape rules)

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # a clear message instead of a traceback (the ctest skips on exit code 77)
    sys.stderr.write("profile_torch.py: PyTorch is not installed for %s (use /usr/bin/python3 with "
                     "Debian's python3-torch)\n" % sys.executable)
    sys.exit(77)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resolve_model(arg):
    """A path, or a zoo name (models/NAME.json), like edgepart's own lookup of zoo names."""
    if os.path.exists(arg):
        return arg
    zoo = os.path.join(REPO, "models", arg + ".json")
    if os.path.exists(zoo):
        return zoo
    sys.exit("profile_torch.py: no model file or zoo model %r" % arg)


def model_hash(edgepart, path):
    out = subprocess.run([edgepart, "inspect", path, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["hash"]


def heights(h):
    """All rows, 1/2, 1/4, 1/8 (ceil(H/K) rows, as `edgepart profile --heights`) and one row."""
    return sorted({-(-h // k) for k in (1, 2, 4, 8)} | {1})


def window_rows(out_rows, in_h, kernel, stride, dilation, pad_top):
    """Input rows read by output rows [0, out_rows-1] of a sliding window (the exact halo of
    rf/backward.cpp): [-pad_top, (out_rows-1)*stride - pad_top + dilation*(kernel-1)], clipped to
    the map; returns (last row read, padding needed above, padding needed below)."""
    first = -pad_top
    last = (out_rows - 1) * stride - pad_top + dilation * (kernel - 1)
    return min(last, in_h - 1), max(0, -first), max(0, last - (in_h - 1))


def percentile(sorted_v, q):
    """numpy's default: linear between the closest ranks."""
    pos = (len(sorted_v) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_v) - 1)
    return sorted_v[lo] + (sorted_v[hi] - sorted_v[lo]) * (pos - lo)


# --clock: "wall" (time.perf_counter: what a dedicated device sees) or "cpu" (time.thread_time:
# this thread's CPU time, which leaves out the time the scheduler gives other processes, so a
# loaded shared machine still measures the layer's own work; torch runs one-thread ops on the
# calling thread).
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def time_call(fn, runs, warmup, clock):
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(runs):
            t0 = clock()
            fn()
            times.append(clock() - t0)
    times.sort()
    return {"median_s": percentile(times, 0.5), "p25_s": percentile(times, 0.25),
            "p75_s": percentile(times, 0.75), "runs": runs}


class LayerOp:
    """One layer as a torch callable on input crops for output rows [0, rows-1]."""

    def __init__(self, layer, in_shapes, out_shape):
        self.layer, self.op, self.ins, self.out = layer, layer["op"], in_shapes, out_shape
        a = {k: (layer[k] if k in layer else v) for k, v in em.OPS[self.op].items()}
        self.a = a
        if self.op in ("conv2d", "maxpool2d", "avgpool2d"):
            self.k = em.hw(a["kernel"])
            self.s = em.hw(a["kernel"] if a["stride"] == "kernel" else a["stride"])
            self.p = em.pad4(a["padding"])  # top, left, bottom, right
            self.d = em.hw(a.get("dilation", 1))
        if self.op == "conv2d":
            cin, cout, g = in_shapes[0][0], a["out_channels"], a["groups"]
            self.weight = torch.randn(cout, cin // g, *self.k)
            self.bias = torch.randn(cout) if a["bias"] else None
        elif self.op == "linear":
            self.weight = torch.randn(a["out_features"], in_shapes[0][0])
            self.bias = torch.randn(a["out_features"]) if a["bias"] else None
        elif self.op == "batchnorm":
            c = in_shapes[0][0]
            self.bn = [torch.randn(c), torch.rand(c) + 0.5, torch.randn(c), torch.randn(c)]

    def crop_rows(self, rows):
        """Per input: (rows of the input read, padding above, padding below)."""
        x = self.ins[0]
        if self.op in ("conv2d", "maxpool2d", "avgpool2d"):
            last, above, below = window_rows(rows, x[1], self.k[0], self.s[0], self.d[0], self.p[0])
            return [(last + 1, above, below)]
        if len(x) == 1 or len(self.out) == 1:  # flat tensors and ops that read the whole map
            return [(s[1] if len(s) == 3 else 1, 0, 0) for s in self.ins]
        if self.op == "adaptive_avgpool2d":  # output row i reads up to ceil((i+1)*in/out) - 1
            return [(math.ceil(rows * x[1] / self.out[1]), 0, 0)]
        if self.op == "upsample":
            return [((rows - 1) // em.hw(self.a["scale"])[0] + 1, 0, 0)]
        if self.op == "space_to_depth":
            return [(rows * self.a["block_size"], 0, 0)]
        if self.op == "depth_to_space":
            return [((rows - 1) // self.a["block_size"] + 1, 0, 0)]
        if self.op == "mul" and self.ins[1][1:] == [1, 1]:  # per-channel scale: all of it
            return [(rows, 0, 0), (1, 0, 0)]
        return [(rows, 0, 0) for _ in self.ins]  # element-wise and concat: the same rows

    def prepare(self, rows):
        """The inputs (cropped, one-sided padding applied) and the callable to time."""
        inputs = []
        self.rows = rows
        self.whole = rows == (self.out[1] if len(self.out) == 3 else 1)
        pads = self.crop_rows(rows)
        for shape, (n, above, below) in zip(self.ins, pads):
            if len(shape) == 1:
                inputs.append(torch.randn(1, shape[0]))
                continue
            if self.whole:  # the whole input, even rows no window reaches (as the model runs)
                n, above, below = shape[1], 0, 0
            t = torch.randn(1, shape[0], n, shape[2])
            if hasattr(self, "k") and not self.whole:  # the columns of the whole width, same rule
                last, left, right = window_rows(self.out[2], shape[2], self.k[1], self.s[1], self.d[1], self.p[1])
                t = t[:, :, :, :last + 1].contiguous()
                inputs.append((t, (above, below, left, right)))
                continue
            inputs.append((t, (above, below, self.p[1], self.p[3]) if hasattr(self, "k") else None))
        return self.callable(inputs)

    def callable(self, inputs):
        op, a = self.op, self.a
        if op in ("conv2d", "maxpool2d", "avgpool2d"):
            x, (above, below, left, right) = inputs[0]
            top, _, bottom, _ = self.p
            ceil = a["ceil_mode"] if op != "conv2d" else False
            if self.whole:  # the whole map: the layer exactly as the model has it
                padding = (top, left)
                if (top, left) != (bottom, right):
                    x = F.pad(x, (left, right, top, bottom), value=-math.inf if op == "maxpool2d" else 0.0)
                    padding = (0, 0)
            elif above == below and left == right:
                padding, ceil = (above, left), False  # exact windows: no ceil needed
            else:  # one-sided: pad the crop now, outside the timed call
                x = F.pad(x, (left, right, above, below), value=-math.inf if op == "maxpool2d" else 0.0)
                padding, ceil = (0, 0), False
            if op == "conv2d":
                w, b, s, d, g = self.weight, self.bias, self.s, self.d, a["groups"]
                return lambda: F.conv2d(x, w, b, s, padding, d, g)
            if op == "maxpool2d":
                k, s, d = self.k, self.s, self.d
                return lambda: F.max_pool2d(x, k, s, padding, d, ceil)
            k, s, cip = self.k, self.s, a["count_include_pad"]
            return lambda: F.avg_pool2d(x, k, s, padding, ceil, cip)
        xs = [i if not isinstance(i, tuple) else i[0] for i in inputs]
        x = xs[0]
        if op == "linear":
            return lambda: F.linear(x, self.weight, self.bias)
        if op == "flatten":
            return lambda: torch.flatten(x, 1)
        if op == "adaptive_avgpool2d":
            size = (self.rows, self.out[2])
            return lambda: F.adaptive_avg_pool2d(x, size)
        if op == "batchnorm":
            m, v, w, b = self.bn
            return lambda: F.batch_norm(x, m, v, w, b, False, 0.0, a["eps"])
        if op == "lrn":
            return lambda: F.local_response_norm(x, a["size"], a["alpha"], a["beta"], a["k"])
        if op == "add":
            if len(xs) == 2:
                y = xs[1]
                return lambda: x + y
            return lambda: sum(xs[1:], xs[0])
        if op == "mul":
            y = xs[1]
            return lambda: x * y
        if op == "concat":
            return lambda: torch.cat(xs, 1)
        if op == "upsample":
            sh, sw = em.hw(a["scale"])
            size = (self.rows, self.out[2])  # whole rows: exactly the scale; a strip: its rows
            return lambda: F.interpolate(x, size=size, mode="nearest")
        if op == "space_to_depth":
            return lambda: F.pixel_unshuffle(x, a["block_size"])
        if op == "depth_to_space":
            return lambda: F.pixel_shuffle(x, a["block_size"])
        unary = {
            "relu": F.relu, "relu6": F.relu6, "sigmoid": torch.sigmoid, "silu": F.silu,
            "hardswish": F.hardswish, "identity": lambda t: t, "softmax": lambda t: F.softmax(t, 1),
            "dropout": lambda t: F.dropout(t, a["p"], False),
            "clip": lambda t: torch.clamp(t, a["min"], a["max"]),
            "leaky_relu": lambda t: F.leaky_relu(t, a["negative_slope"]),
            "hardsigmoid": lambda t: torch.clamp(t * a["alpha"] + a["beta"], 0, 1),
        }
        fn = unary[op]
        return lambda: fn(x)


def profile(model, model_path, edgepart, runs, warmup, clock):
    rows_of = em.analyse(model)
    shapes = {"input": list(model["input"])}
    layers = []
    prev = "input"
    for index, (layer, shape, _, _) in enumerate(rows_of):
        ins = [shapes[s] for s in layer.get("inputs", [prev])]
        op = LayerOp(layer, ins, shape)
        h = shape[1] if len(shape) == 3 else 1
        w = shape[2] if len(shape) == 3 else 1
        points = []
        for rows in heights(h):
            point = {"rows": rows, "cols": w}
            fn = op.prepare(rows)
            with torch.no_grad():
                got = list(fn().shape)[1:]
            want = [shape[0], rows, w] if len(shape) == 3 else shape
            # depth_to_space makes block_size rows per input row: a strip may come out taller.
            if got != want and not (layer["op"] == "depth_to_space" and got[1] >= want[1]):  # a bug in the crop rules above: say so rather than time the wrong work
                sys.exit("profile_torch.py: layer %r (%s): %d rows gave output %s, expected %s"
                         % (layer["name"], layer["op"], rows, got, want))
            point.update(time_call(fn, runs, warmup, CLOCKS[clock]))
            points.append(point)
        layers.append({"layer": index, "name": layer["name"], "op": layer["op"], "output": shape, "points": points})
        shapes[layer["name"]] = shape
        prev = layer["name"]
        sys.stderr.write("\rprofile_torch.py: %d/%d layers" % (index + 1, len(rows_of)))
    sys.stderr.write("\n")
    return {
        "format": "edgepart.profile", "version": 1,
        "measured_on": {"host": socket.gethostname(), "cpu": cpu_name(), "threads": torch.get_num_threads(),
                        "runtime": "pytorch " + torch.__version__ + ("" if clock == "wall" else " (thread CPU time)")},
        "model": {"name": model["name"], "hash": model_hash(edgepart, model_path)},
        "settings": {"runs": runs, "warmup": warmup},
        "layers": layers,
    }


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="wall: elapsed time (default); cpu: this thread's CPU time (for a loaded machine)")
    ap.add_argument("--edgepart", default=os.path.join(REPO, "build", "edgepart"),
                    help="the edgepart binary that prints the model hash (default: build/edgepart)")
    o = ap.parse_args()
    if o.runs < 1 or o.warmup < 0:
        ap.error("--runs must be >= 1 and --warmup >= 0")
    path = resolve_model(o.model)
    if os.path.abspath(o.output) == os.path.abspath(path):
        ap.error("-o would overwrite the model")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    doc = profile(model, path, o.edgepart, o.runs, o.warmup, o.clock)
    tmp = o.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, o.output)


if __name__ == "__main__":
    main()
