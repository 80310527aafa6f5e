#!/usr/bin/python3
"""Export torchvision CNNs to edgepart.model JSON (docs/formats.md) and weight-free ONNX.

Each model is built with weights=None, traced with torch.fx and mapped node by node to our ops.
Before a file is written it is checked against the real torch model:
  * parameters from the JSON (docs/formats.md rules) == sum(p.numel() for p in model.parameters()),
  * conv+linear MACs from the JSON shape arithmetic == MACs counted by forward hooks on torch,
  * every layer's shape from the JSON == the tensor shape torch.fx's ShapeProp sees.
Anything torch.fx produces that is not mapped below is an error, never silently dropped.

Uses Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14, onnx 1.12).

    tools/export_torchvision.py                 # all models, JSON + ONNX into models/
    tools/export_torchvision.py --no-onnx vgg16
"""
import argparse
import copy
import operator
import os
import sys

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torch.fx.passes.shape_prop import ShapeProp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edgepart_model as em  # noqa: E402  (sits next to this script)

TV = ".".join(torchvision.__version__.split(".")[:2])
INPUT = (3, 224, 224)

# name -> (constructor keyword arguments, torchvision docs: GFLOPS (= GMACs there), parameters)
MODELS = {
    "alexnet": ({}, 0.71, 61_100_840),
    "vgg16": ({}, 15.47, 138_357_544),
    "resnet18": ({}, 1.81, 11_689_512),
    "resnet50": ({}, 4.09, 25_557_032),
    "mobilenet_v2": ({}, 0.30, 3_504_872),
    # aux classifiers are training-only; transform_input would add a per-channel affine in front.
    "googlenet": ({"aux_logits": False, "transform_input": False, "init_weights": False},
                  1.50, 6_624_904),
    "squeezenet1_1": ({}, 0.35, 1_235_496),
    "densenet121": ({}, 2.83, 7_978_856),
}


def build(name):
    kwargs = MODELS[name][0]
    model = getattr(torchvision.models, name)(weights=None, **kwargs)
    return model.eval()


def source_text(name):
    args = ", ".join(["weights=None"] + [f"{k}={v}" for k, v in MODELS[name][0].items()])
    return f"torchvision {TV} models.{name} ({args}), traced by tools/export_torchvision.py"


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def hw_attr(v):
    return em.compact_hw(*pair(v))


def pad_attr(v):
    if isinstance(v, str):                 # 'same'/'valid' strings are not used by these models
        raise ValueError(f"string padding {v!r} not supported")
    h, w = pair(v)
    return em.compact_pad(h, w, h, w)


def map_module(m):
    """(op, attributes) for a module call; raises on anything not in our format."""
    if isinstance(m, nn.Conv2d):
        if m.padding_mode != "zeros":
            raise ValueError(f"conv padding_mode {m.padding_mode}")
        return "conv2d", dict(out_channels=m.out_channels, kernel=hw_attr(m.kernel_size),
                              stride=hw_attr(m.stride), padding=pad_attr(m.padding),
                              dilation=hw_attr(m.dilation), groups=m.groups, bias=m.bias is not None)
    if isinstance(m, nn.MaxPool2d):
        if m.return_indices:
            raise ValueError("maxpool return_indices")
        return "maxpool2d", dict(kernel=hw_attr(m.kernel_size),
                                 stride=hw_attr(m.stride or m.kernel_size),
                                 padding=pad_attr(m.padding), dilation=hw_attr(m.dilation),
                                 ceil_mode=bool(m.ceil_mode))
    if isinstance(m, nn.AvgPool2d):
        if m.divisor_override is not None:
            raise ValueError("avgpool divisor_override")
        return "avgpool2d", dict(kernel=hw_attr(m.kernel_size),
                                 stride=hw_attr(m.stride or m.kernel_size),
                                 padding=pad_attr(m.padding), ceil_mode=bool(m.ceil_mode),
                                 count_include_pad=bool(m.count_include_pad))
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return "adaptive_avgpool2d", dict(output_size=adaptive_size(m.output_size))
    if isinstance(m, nn.BatchNorm2d):
        # The format counts 2C parameters (weight and bias); a non-affine BN would have none.
        if not m.affine:
            raise ValueError("batchnorm without affine parameters")
        return "batchnorm", dict(eps=m.eps)
    if isinstance(m, nn.ReLU6):            # ReLU6 subclasses Hardtanh: test it first
        return "relu6", {}
    if isinstance(m, nn.Hardtanh):
        return hardtanh(m.min_val, m.max_val)
    if isinstance(m, nn.ReLU):
        return "relu", {}
    if isinstance(m, nn.Dropout):
        return "dropout", dict(p=m.p)
    if isinstance(m, nn.Linear):
        return "linear", dict(out_features=m.out_features, bias=m.bias is not None)
    if isinstance(m, nn.Flatten):
        check_flatten(m.start_dim, m.end_dim)
        return "flatten", {}
    if isinstance(m, nn.Identity):
        return "identity", {}
    raise ValueError(f"unmapped module type {type(m).__name__}")


def adaptive_size(v):
    h, w = pair(v)
    if h is None or w is None:
        raise ValueError("adaptive pooling with a None output size")
    return em.compact_hw(h, w)


def hardtanh(lo, hi):
    return ("relu6", {}) if (lo, hi) == (0.0, 6.0) else ("clip", dict(min=lo, max=hi))


def check_flatten(start_dim, end_dim=-1):
    # Our flatten keeps the batch axis: only flatten(x, 1) (all of C, H, W) is meaningful.
    if start_dim != 1 or end_dim != -1:
        raise ValueError(f"flatten({start_dim}, {end_dim}) is not flatten(x, 1)")


def arg(node, i, key, default):
    """Positional-or-keyword argument i/key of an fx call."""
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(key, default)


def map_function(node):
    """(op, attributes, tensor inputs) for a call_function node."""
    f = node.target
    if f is torch.flatten:
        check_flatten(arg(node, 1, "start_dim", 0), arg(node, 2, "end_dim", -1))
        return "flatten", {}, [node.args[0]]
    if f is F.relu:                        # inplace=True/False makes no difference to the graph
        return "relu", {}, [node.args[0]]
    if f is F.relu6:
        return "relu6", {}, [node.args[0]]
    if f is F.hardtanh:
        op, attrs = hardtanh(arg(node, 1, "min_val", -1.0), arg(node, 2, "max_val", 1.0))
        return op, attrs, [node.args[0]]
    if f is F.adaptive_avg_pool2d:
        return "adaptive_avgpool2d", dict(output_size=adaptive_size(node.args[1])), [node.args[0]]
    if f in (operator.add, operator.iadd, torch.add):
        if node.kwargs.get("alpha", 1) != 1 or len(node.args) != 2:
            raise ValueError("add with alpha or extra arguments")
        return "add", {}, list(node.args)
    if f is torch.cat:
        tensors = list(node.args[0])
        if arg(node, 1, "dim", 0) not in (1, -3):
            raise ValueError("cat along a dimension other than channels")
        # DenseNet concatenates a one-element list at the start of each block: that is a copy.
        return ("identity" if len(tensors) == 1 else "concat"), {}, tensors
    raise ValueError(f"unmapped function {getattr(f, '__name__', f)}")


def to_layers(gm):
    """Map a traced GraphModule to our layer list; returns (layers, {layer name: fx node})."""
    names = {}          # fx node -> our layer name
    calls = {}          # module path -> times called so far (a module may be reused, e.g. ReLU)
    layers, nodes = [], {}
    output = None
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            names[node] = "input"
            continue
        if node.op == "output":
            output = node.args[0]
            continue
        if node.op == "call_module":
            op, attrs = map_module(gm.get_submodule(node.target))
            srcs = [node.args[0]]
            if len(node.args) != 1 or node.kwargs:
                raise ValueError(f"{node.target}: module called with extra arguments")
            n = calls.get(node.target, 0)
            calls[node.target] = n + 1
            # Module path, with fx's _1, _2 ... suffix for second and later calls of one module.
            name = node.target if n == 0 else f"{node.target}_{n}"
        elif node.op == "call_function":
            op, attrs, srcs = map_function(node)
            name = node.name
        else:               # get_attr, call_method (x.view, x.size, ...): none in these models
            raise ValueError(f"unmapped fx node {node.op} {node.target}")
        for s in srcs:
            if not isinstance(s, torch.fx.Node) or s not in names:
                raise ValueError(f"{name}: input {s!r} is not a tensor produced earlier")
        if name in nodes:
            raise ValueError(f"duplicate layer name {name}")
        layers.append(em.make_layer(name, op, [names[s] for s in srcs], **attrs))
        names[node] = name
        nodes[name] = node
    # The format's output is the last layer, so it must be what the model returns.
    if not isinstance(output, torch.fx.Node) or names.get(output) != layers[-1]["name"]:
        raise ValueError("the model output is not the last layer")
    return em.drop_implicit_inputs(layers), nodes


def hook_macs(model, x):
    """Conv+linear MACs counted on the real model with forward hooks (batch 1)."""
    total = [0]

    def conv(m, inp, out):
        kh, kw = m.kernel_size
        total[0] += out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear(m, inp, out):
        total[0] += m.in_features * m.out_features * (out.numel() // m.out_features)

    handles = [m.register_forward_hook(conv if isinstance(m, nn.Conv2d) else linear)
               for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0]


def export_json(name, model, x, path):
    """Trace, map, verify against torch and write models/<name>.json; returns (MACs, params)."""
    gm = torch.fx.symbolic_trace(model)
    layers, nodes = to_layers(gm)
    doc = {"name": name, "source": source_text(name), "input": list(INPUT), "layers": layers}

    rows = em.analyse(doc)
    with torch.no_grad():
        ShapeProp(gm).propagate(x)
    for layer, shape, _, _ in rows:
        real = list(nodes[layer["name"]].meta["tensor_meta"].shape)[1:]
        if real != shape:
            raise AssertionError(f"{name}/{layer['name']}: JSON shape {shape}, torch {real}")

    macs, params = sum(r[2] for r in rows), sum(r[3] for r in rows)
    real_params = sum(p.numel() for p in model.parameters())
    real_macs = hook_macs(model, x)
    if (macs, params) != (real_macs, real_params):
        raise AssertionError(f"{name}: JSON MACs/params {macs}/{params}, "
                             f"torch {real_macs}/{real_params}")
    em.write(doc, path)
    return macs, params, len(layers)


def export_onnx(name, model, x, path):
    """Weight-free ONNX: graph, tensor names and dims, value_info; no tensor data."""
    import onnx
    # Fresh random values for every weight and buffer (seeded, positive so BN variances stay
    # valid): weights=None leaves many tensors equal (zero biases, unit BN scales), and the
    # exporter then deduplicates them into shared initializers plus Identity nodes, which is
    # noise in a file that only describes the graph.  The values are thrown away below.
    model = copy.deepcopy(model)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
    tmp = path + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    proto = onnx.load(tmp)
    os.remove(tmp)
    proto = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    # Check while the weights are still there: once they are gone the checker (and onnx.load
    # without load_external_data=False) fails on the missing .data file, by design.
    onnx.checker.check_model(proto)
    data = name + ".onnx.data"
    # Move every initializer's bytes to one side file, which we then delete: the .onnx keeps
    # each tensor's name, type and dims plus an external-data reference, and nothing else.
    onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data, size_threshold=0)
    os.remove(os.path.join(os.path.dirname(path), data))
    return os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", default=list(MODELS), help="default: all")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("--onnx", action=argparse.BooleanOptionalAction, default=True,
                    help="also write weight-free models/<name>.onnx (default: on)")
    args = ap.parse_args()

    torch.manual_seed(0)        # weights never reach the outputs, but keep every run identical
    x = torch.randn(1, *INPUT)
    print(f"{'model':14} {'layers':>6} {'GMACs':>8} {'docs':>6} {'parameters':>12} "
          f"{'docs':>12} {'onnx KB':>8}  check")
    bad = []
    for name in args.models:
        if name not in MODELS:
            ap.error(f"unknown model {name}; known: {', '.join(MODELS)}")
        model = build(name)
        macs, params, n = export_json(name, model, x, os.path.join(args.out, name + ".json"))
        size = export_onnx(name, model, x, os.path.join(args.out, name + ".onnx")) if args.onnx else 0
        _, docs_g, docs_p = MODELS[name]
        ok = round(macs / 1e9, 2) == docs_g and params == docs_p
        if not ok:
            bad.append(name)
        print(f"{name:14} {n:6} {macs / 1e9:8.3f} {docs_g:6.2f} {params:12,} {docs_p:12,} "
              f"{size / 1024:8.1f}  {'matches docs' if ok else 'DIFFERS FROM DOCS'}")
    if bad:
        print("differs from torchvision's documented figures:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
