#!/usr/bin/env python3
"""Shared helpers for the model exporters: shapes, costs and the file writer for edgepart.model JSON.

This is a second, independent implementation of docs/formats.md in Python (no torch needed), so the
exporters can check what they write against the real framework before writing it.

Run as a script to print the markdown table used in models/README.md:
    tools/edgepart_model.py models/*.json
"""
import json
import math
import os
import sys

# Attributes each op may carry, with the format's defaults (None = required), from the C++ op table:
# tools/ops.json is `edgepart list ops --format json` (tests/unit/cli/ops_json_test.cpp keeps it equal
# to the tool's output; regenerate it with `./build/edgepart list ops --format json > tools/ops.json`).
# A key that is not listed is an error, like in the C++ reader; "stride": "kernel" (pooling) means
# the stride defaults to the kernel, handled below.
def _load_ops():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.json")
    with open(path) as f:
        return {op["name"]: op["attributes"] for op in json.load(f)["ops"]}


OPS = _load_ops()


def hw(v):
    """An "hw" attribute (int or [h, w]) as a pair."""
    return (v, v) if isinstance(v, int) else tuple(v)


def pad4(v):
    """A padding attribute (int, [h, w] or [top, left, bottom, right]) as (top, left, bottom, right)."""
    if isinstance(v, int):
        return (v, v, v, v)
    if len(v) == 2:
        return (v[0], v[1], v[0], v[1])
    return tuple(v)


def compact_hw(h, w):
    """The shortest spelling of an hw pair, so files stay readable and stable."""
    return h if h == w else [h, w]


def compact_pad(top, left, bottom, right):
    if top == left == bottom == right:
        return top
    if (top, left) == (bottom, right):
        return [top, left]
    return [top, left, bottom, right]


def make_layer(name, op, inputs=None, **attrs):
    """A layer dict; attributes equal to the format's default are dropped (one consistent rule)."""
    if op not in OPS:
        raise ValueError(f"{name}: unknown op {op!r}")
    layer = {"name": name, "op": op}
    if inputs is not None:
        layer["inputs"] = list(inputs)
    for key in sorted(attrs):
        if key not in OPS[op]:
            raise ValueError(f"{name}: op {op} has no attribute {key!r}")
        default = OPS[op][key]
        value = attrs[key]
        if default == "kernel":                    # pooling stride defaults to the kernel
            default = layer.get("kernel", attrs.get("kernel"))
        if value == default and type(value) is type(default):
            continue
        layer[key] = value
    return layer


def drop_implicit_inputs(layers):
    """Remove `inputs` where it is exactly the previous layer (the format's implicit default)."""
    prev = "input"
    for layer in layers:
        if layer.get("inputs") == [prev]:
            del layer["inputs"]
        prev = layer["name"]
    return layers


def _pool_out(size, k, s, pb, pa, d, ceil_mode):
    """PyTorch's pooling/conv output size along one axis (pb/pa = padding before/after)."""
    span = size + pb + pa - d * (k - 1) - 1
    if span < 0:
        raise ValueError("window larger than the padded input")
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    # PyTorch rule: with ceil_mode the last window must start inside the input or the left padding.
    if ceil_mode and (out - 1) * s >= size + pb:
        out -= 1
    return out


def analyse(model):
    """Shapes, MACs and parameters of every layer, by the arithmetic of docs/formats.md.

    Returns a list of (layer, shape, macs, params); raises ValueError on anything inconsistent.
    """
    shapes = {"input": list(model["input"])}
    prev = "input"
    rows = []
    for layer in model["layers"]:
        name, op = layer["name"], layer["op"]
        if name in shapes:
            raise ValueError(f"duplicate layer name {name!r}")
        for key in layer:
            if key not in ("name", "op", "inputs") and key not in OPS[op]:
                raise ValueError(f"{name}: op {op} has no attribute {key!r}")
        a = {k: (layer[k] if k in layer else v) for k, v in OPS[op].items()}
        srcs = layer.get("inputs", [prev])
        ins = [shapes[s] for s in srcs]            # KeyError = not produced before (not topological)
        x = ins[0]
        macs = params = 0
        if op in ("conv2d", "maxpool2d", "avgpool2d"):
            kh, kw = hw(a["kernel"])
            sh, sw = hw(a["kernel"] if a["stride"] == "kernel" else a["stride"])
            pt, pl, pb, pr = pad4(a["padding"])
            dh, dw = hw(a.get("dilation", 1))
            ceil = a.get("ceil_mode", False)
            oh = _pool_out(x[1], kh, sh, pt, pb, dh, ceil)
            ow = _pool_out(x[2], kw, sw, pl, pr, dw, ceil)
            if op == "conv2d":
                cin, g, cout = x[0], a["groups"], a["out_channels"]
                if cin % g or cout % g:
                    raise ValueError(f"{name}: channels {cin}->{cout} not divisible by groups {g}")
                shape = [cout, oh, ow]
                macs = oh * ow * cout * kh * kw * (cin // g)
                params = cout * (cin // g) * kh * kw + (cout if a["bias"] else 0)
            else:
                shape = [x[0], oh, ow]
        elif op == "adaptive_avgpool2d":
            oh, ow = hw(a["output_size"])
            shape = [x[0], oh, ow]
        elif op == "batchnorm":
            shape, params = x, 2 * x[0]
        elif op == "flatten":
            shape = [math.prod(x)]
        elif op == "linear":
            if len(x) != 1:
                raise ValueError(f"{name}: linear needs a flat input, got {x}")
            shape = [a["out_features"]]
            macs = x[0] * a["out_features"]
            params = macs + (a["out_features"] if a["bias"] else 0)
        elif op == "add":
            if len(ins) < 2 or any(s != x for s in ins):
                raise ValueError(f"{name}: add needs >= 2 equal shapes, got {ins}")
            shape = x
        elif op == "mul":
            if len(ins) != 2 or ins[1] not in (x, [x[0], 1, 1]):
                raise ValueError(f"{name}: bad mul shapes {ins}")
            shape = x
        elif op == "concat":
            if len(ins) < 2 or any(s[1:] != x[1:] for s in ins):
                raise ValueError(f"{name}: concat needs >= 2 inputs of equal H, W, got {ins}")
            shape = [sum(s[0] for s in ins)] + x[1:]
        elif op == "upsample":
            fh, fw = hw(a["scale"])
            shape = [x[0], x[1] * fh, x[2] * fw]
        elif op == "space_to_depth":
            b = a["block_size"]
            if x[1] % b or x[2] % b:
                raise ValueError(f"{name}: {x} not divisible by block {b}")
            shape = [x[0] * b * b, x[1] // b, x[2] // b]
        elif op == "depth_to_space":
            b = a["block_size"]
            shape = [x[0] // (b * b), x[1] * b, x[2] * b]
        else:                                      # element-wise ops keep the shape
            shape = x
        if op not in ("add", "mul", "concat") and len(ins) != 1:
            raise ValueError(f"{name}: {op} takes one input, got {len(ins)}")
        if any(d <= 0 for d in shape):
            raise ValueError(f"{name}: empty output {shape}")
        shapes[name] = shape
        rows.append((layer, shape, macs, params))
        prev = name
    return rows


def totals(model):
    """(MACs, parameters) of a whole model."""
    rows = analyse(model)
    return sum(r[2] for r in rows), sum(r[3] for r in rows)


def dumps(model):
    """Deterministic, diff-friendly JSON: a header, then one compact layer per line.

    Layer keys come in the order name, op, inputs, then the attributes sorted (make_layer's order).
    """
    def one(v):
        return json.dumps(v, separators=(", ", ": "), ensure_ascii=False)
    out = ['{',
           '  "format": "edgepart.model", "version": 1,',
           f'  "name": {one(model["name"])},',
           f'  "source": {one(model["source"])},',
           f'  "input": {one(model["input"])},']
    if "dtype_bytes" in model:
        out.append(f'  "dtype_bytes": {one(model["dtype_bytes"])},')
    out.append('  "layers": [')
    layers = model["layers"]
    for i, layer in enumerate(layers):
        ordered = {k: layer[k] for k in ("name", "op", "inputs") if k in layer}
        ordered.update((k, layer[k]) for k in sorted(layer) if k not in ordered)
        out.append("    " + one(ordered) + ("," if i + 1 < len(layers) else ""))
    out += ['  ]', '}']
    return "\n".join(out) + "\n"


def write(model, path):
    """Check the model (shapes must work out) and write it; returns (MACs, params)."""
    result = totals(model)
    text = dumps(model)
    assert json.loads(text)["layers"] == model["layers"]    # the writer must not change content
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return result


def main(paths):
    """Print the markdown table of models/README.md for the given model files."""
    print("| model | input | layers | GMACs (conv+linear) | parameters | provenance |")
    print("|---|---|---|---:|---:|---|")
    for path in paths:
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
        macs, params = totals(model)
        shape = "x".join(str(d) for d in model["input"])
        print(f"| {model['name']} | {shape} | {len(model['layers'])} | {macs / 1e9:.3f} | "
              f"{params:,} | {model['source']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
