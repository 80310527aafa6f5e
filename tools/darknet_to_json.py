#!/usr/bin/env python3
"""Convert a Darknet .cfg network description to edgepart.model JSON (docs/formats.md).

    tools/darknet_to_json.py                          # the bundled YOLOv2 cfgs -> models/
    tools/darknet_to_json.py NET.cfg OUT.json --name NAME

Only the layer kinds YOLOv2 uses are supported (convolutional, maxpool, route, reorg, region);
anything else, or an option that would change shapes and is not handled, is an error.
Shapes are computed twice, with Darknet's own formulas here and with the format's (PyTorch) rules
in edgepart_model.py, and must agree layer by layer.  No torch needed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edgepart_model as em  # noqa: E402  (sits next to this script)

HERE = os.path.dirname(os.path.abspath(__file__))
# Bundled cfgs (verbatim copies from pjreddie/darknet, see tools/darknet/README.md).
BUNDLED = [("yolov2.cfg", "yolov2"), ("yolov2-tiny-voc.cfg", "yolov2_tiny")]

# Options we read per section; any other option is an error, except in sections whose other
# options only matter for training or decoding ([net] hyper-parameters, [region] anchors...).
KNOWN = {
    "convolutional": {"batch_normalize", "filters", "size", "stride", "pad", "padding", "groups",
                      "activation"},
    "maxpool": {"size", "stride", "padding"},
    "route": {"layers"},
    "reorg": {"stride"},
}
ACTIVATIONS = {"leaky": ("leaky_relu", {"negative_slope": 0.1}), "relu": ("relu", {}),
               "logistic": ("sigmoid", {}), "linear": None}


def parse_cfg(text):
    """[(section, {option: value})] like Darknet's read_cfg: whitespace dropped, # and ; comment."""
    sections = []
    for raw in text.splitlines():
        line = "".join(raw.split())
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            sections.append((line[1:-1], {}))
        else:
            key, value = line.split("=", 1)
            sections[-1][1][key] = value
    return sections


def convert(text, name, source):
    """Returns (model dict, Darknet shapes per layer index, conv MACs by Darknet's arithmetic)."""
    sections = parse_cfg(text)
    if not sections or sections[0][0] not in ("net", "network"):
        raise ValueError("a cfg starts with [net]")
    net = sections[0][1]
    shape = [int(net["channels"]), int(net["height"]), int(net["width"])]
    model = {"name": name, "source": source, "input": list(shape), "layers": []}
    layers = model["layers"]
    outs, shapes = [], []           # per Darknet layer index: our output layer name, its shape
    macs = 0
    prev = "input"

    def add(lname, op, inputs=None, **attrs):
        nonlocal prev
        layers.append(em.make_layer(lname, op, inputs if inputs else [prev], **attrs))
        prev = lname

    for i, (kind, opt) in enumerate(sections[1:]):
        unknown = set(opt) - KNOWN.get(kind, set(opt))
        if unknown:
            raise ValueError(f"layer {i} [{kind}]: unsupported options {sorted(unknown)}")
        c, h, w = shape
        if kind == "convolutional":
            n, k = int(opt["filters"]), int(opt.get("size", 1))
            s, g = int(opt.get("stride", 1)), int(opt.get("groups", 1))
            # Darknet: pad=1 means "same"-style size/2, otherwise the explicit padding= (0).
            p = k // 2 if int(opt.get("pad", 0)) else int(opt.get("padding", 0))
            bn = int(opt.get("batch_normalize", 0))
            # With batch_normalize Darknet's per-filter biases act as the BN shift: no conv bias.
            add(f"conv{i}", "conv2d", out_channels=n, kernel=k, stride=s, padding=p, groups=g,
                bias=not bn)
            if bn:
                # Darknet's epsilon placement differs slightly (sqrt(var) + 1e-6); shapes and
                # costs do not depend on it, so the format's default is kept.
                add(f"bn{i}", "batchnorm")
            act = opt.get("activation", "logistic")
            if act not in ACTIVATIONS:
                raise ValueError(f"layer {i}: unsupported activation {act}")
            if ACTIVATIONS[act]:
                op, attrs = ACTIVATIONS[act]
                add(f"{act}{i}", op, **attrs)
            shape = [n, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1]
            macs += shape[1] * shape[2] * n * k * k * (c // g)
        elif kind == "maxpool":
            s = int(opt.get("stride", 1))
            k = int(opt.get("size", s))
            pad = int(opt.get("padding", k - 1))
            shape = [c, (h + pad - k) // s + 1, (w + pad - k) // s + 1]
            # Darknet offsets windows by -pad/2: pad/2 before, the rest after (bottom/right).
            before, after = pad // 2, pad - pad // 2
            # Padding no window reaches (the usual size-2 stride-2 pool on even sizes) is left
            # out so those pools stay plain; yolov2-tiny's size-2 stride-1 pool keeps 13x13
            # only thanks to its bottom/right padding, which is therefore written.
            reads_pad = before > 0 or (shape[1] - 1) * s + k > h or (shape[2] - 1) * s + k > w
            padding = em.compact_pad(before, before, after, after) if reads_pad else 0
            add(f"maxpool{i}", "maxpool2d", kernel=k, stride=s, padding=padding)
        elif kind == "route":
            # Negative indices are relative to this layer, others absolute (Darknet's rule).
            srcs = [int(v) + i if int(v) < 0 else int(v) for v in opt["layers"].split(",")]
            if any(not 0 <= j < i for j in srcs):
                raise ValueError(f"layer {i}: route to {srcs}")
            if any(shapes[j][1:] != shapes[srcs[0]][1:] for j in srcs):
                raise ValueError(f"layer {i}: route of different sizes")
            # A one-layer route just forwards that layer's output.
            add(f"route{i}", "identity" if len(srcs) == 1 else "concat", [outs[j] for j in srcs])
            shape = [sum(shapes[j][0] for j in srcs)] + shapes[srcs[0]][1:]
        elif kind == "reorg":
            b = int(opt.get("stride", 1))
            # Darknet's reorg orders channels differently from SpaceToDepth; shapes are equal.
            add(f"reorg{i}", "space_to_depth", block_size=b)
            shape = [c * b * b, h // b, w // b]
        elif kind == "region":
            # Box decoding (logistic/softmax over the 13x13 grid) is post-processing: a
            # pass-through layer marks the output under Darknet's name.
            add(f"region{i}", "identity")
        else:
            raise ValueError(f"layer {i}: unsupported Darknet layer [{kind}]")
        outs.append(prev)
        shapes.append(shape)

    em.drop_implicit_inputs(layers)
    # Cross-check: the format's own shape rules must give Darknet's shape for every layer.
    ours = {layer["name"]: s for layer, s, _, _ in em.analyse(model)}
    for i, (out, dshape) in enumerate(zip(outs, shapes)):
        if ours[out] != dshape:
            raise AssertionError(f"layer {i} ({out}): format gives {ours[out]}, Darknet {dshape}")
    if em.totals(model)[0] != macs:
        raise AssertionError("MACs differ between Darknet's and the format's arithmetic")
    return model, shapes, macs


def run(cfg, out, name):
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    source = (f"Darknet cfg/{os.path.basename(cfg)} (pjreddie/darknet, copy in tools/darknet/), "
              f"converted by tools/darknet_to_json.py")
    model, shapes, macs = convert(text, name, source)
    _, params = em.write(model, out)
    # Darknet prints 2*MACs of its conv layers as "BFLOPs"; YOLOv2-608 should say 62.94.
    print(f"{name:12} {'x'.join(map(str, model['input'])):>11} {len(model['layers']):4} layers  "
          f"{macs / 1e9:7.3f} GMACs  {2 * macs / 1e9:6.2f} BFLOPs  {params:12,} params  "
          f"output {shapes[-1]}")
    return macs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cfg", nargs="?")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--name", help="model name (default: the output file's stem)")
    args = ap.parse_args()
    if args.cfg:
        if not args.out:
            ap.error("give both CFG and OUT")
        run(args.cfg, args.out, args.name or os.path.splitext(os.path.basename(args.out))[0])
        return 0
    for cfg, name in BUNDLED:
        macs = run(os.path.join(HERE, "darknet", cfg),
                   os.path.join(HERE, "..", "models", name + ".json"), name)
        if name == "yolov2" and round(2 * macs / 1e9, 2) != 62.94:
            print("yolov2: expected Darknet's 62.94 BFLOPs")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
