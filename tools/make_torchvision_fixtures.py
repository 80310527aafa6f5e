#!/usr/bin/python3
"""Weight-free ONNX exports of every torchvision 0.14 classification model, as a user exports them,
with the MACs PyTorch itself counts, for tests/unit/onnx/torchvision_test.cpp (docs/models.md).

For each model of torchvision.models.list_models(module=torchvision.models) (80 in 0.14):
  * build it with weights=None (nothing is downloaded), eval mode, batch 1, its own input size
    (299x299 for inception_v3, 224x224 for the others);
  * count the multiply-accumulates of every conv, linear and matrix product while PyTorch runs
    it, at the function level (F.conv2d, F.linear, torch.matmul/bmm/baddbmm/addmm), so that
    attention's projections and products, which are not nn.Linear modules, count too;
  * export it with torch.onnx.export (opset 17, constant folding, as a user does) and strip the
    weights: every initializer becomes external data in '<name>.weights', a file that is never
    written (the loader needs only dims; models/*.onnx are stored the same way);
  * a representative subset also at opset 13, and with export_params=False (weights as graph
    inputs, how some users export).
expected.json records, per file: the model, opset, input shape, export_params, and PyTorch's MAC
counts (conv, linear, matmul). Nothing in it comes from edgepart.

Debian's /usr/bin/python3 with python3-torch 1.13 and python3-torchvision 0.14 (apt); the export
is not part of `make test` (it takes minutes), the fixtures are committed.

    /usr/bin/python3 tools/make_torchvision_fixtures.py             # all models
    /usr/bin/python3 tools/make_torchvision_fixtures.py resnet34 vit_b_16
"""
import json
import os
import sys
import tempfile

import onnx
import torch
import torch.nn.functional as F
import torchvision
from onnx import TensorProto
from torch.overrides import TorchFunctionMode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx", "torchvision")
INPUT_SIZE = {"inception_v3": 299}
# Models that torchvision builds with training-only parts by default.
KWARGS = {"inception_v3": {"aux_logits": False, "init_weights": False}, "googlenet": {"aux_logits": False, "init_weights": False}}
# The subset exported again at opset 13 and with export_params=False: one of each family kind.
SUBSET = ["resnet18", "mobilenet_v3_small", "efficientnet_b0", "shufflenet_v2_x1_0", "convnext_tiny", "vit_b_16",
          "regnet_y_400mf", "mnasnet1_0"]


def numel(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


class MacCounter(TorchFunctionMode):
    """MACs of conv, linear and matrix products, from the shapes PyTorch computes with."""

    def __init__(self):
        super().__init__()
        self.conv = self.linear = self.matmul = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        # The mode is off while its handler runs, so a function's insides are not seen: attention
        # (F.multi_head_attention_forward, torchvision's ViT) is counted from its shapes below.
        out = func(*args, **kwargs)
        if func is F.multi_head_attention_forward:
            q = args[0] if args else kwargs["query"]
            length, batch, embed = (int(d) for d in q.shape)  # (L, N, E): the module transposes first
            # q, k, v and output projections: 4 * L * N * E^2; scores and weighted sum: 2 * N * L^2 * E
            self.linear += 4 * length * batch * embed * embed
            self.matmul += 2 * batch * length * length * embed
        elif func is F.conv2d or func is torch.conv2d:
            w = args[1] if len(args) > 1 else kwargs["weight"]
            # each output element: (C_in / groups) * kH * kW multiply-adds
            self.conv += numel(out.shape) * numel(w.shape[1:])
        elif func is F.linear:
            w = args[1] if len(args) > 1 else kwargs["weight"]
            self.linear += numel(out.shape) * int(w.shape[-1])
        elif func in (torch.matmul, torch.Tensor.matmul, torch.bmm, torch.Tensor.bmm, torch.baddbmm, torch.addmm,
                      torch.Tensor.__matmul__):
            a = args[0] if func is not torch.baddbmm and func is not torch.addmm else args[1]
            self.matmul += numel(out.shape) * int(a.shape[-1])
        return out


def build(name):
    model = torchvision.models.get_model(name, weights=None, **KWARGS.get(name, {}))
    return model.eval()


def strip_weights(model_proto, name):
    """Every initializer's data becomes external data in a file that is never written."""
    for t in model_proto.graph.initializer:
        t.ClearField("raw_data")
        for field in ("float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
            t.ClearField(field)
        del t.external_data[:]
        t.data_location = TensorProto.EXTERNAL
        entry = t.external_data.add()
        entry.key, entry.value = "location", name + ".weights"
    return model_proto


def export(model, x, path, opset, params):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "model.onnx")
        # Not under no_grad: there torch 1.13's attention takes a fused fast path
        # (aten::_native_multi_head_attention) that it cannot export.
        torch.onnx.export(model, x, raw, opset_version=opset, export_params=params, do_constant_folding=True,
                          input_names=["x"], output_names=["y"])
        proto = onnx.load(raw, load_external_data=False)
    onnx.save(strip_weights(proto, os.path.splitext(os.path.basename(path))[0]), path)


def main():
    names = sys.argv[1:] or torchvision.models.list_models(module=torchvision.models)
    os.makedirs(OUT, exist_ok=True)
    manifest_path = os.path.join(OUT, "expected.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    torch.manual_seed(0)
    for name in names:
        size = INPUT_SIZE.get(name, 224)
        x = torch.zeros(1, 3, size, size)
        model = build(name)
        counter = MacCounter()
        with counter:  # with grad, as exported: attention runs as linear + bmm, not fused
            model(x)
        params = sum(p.numel() for p in model.parameters())
        forms = [(17, True)] + ([(13, True), (17, False)] if name in SUBSET else [])
        for opset, with_params in forms:
            file = name + ("" if opset == 17 else f"_opset{opset}") + ("" if with_params else "_noparams") + ".onnx"
            try:
                export(model, x, os.path.join(OUT, file), opset, with_params)
            except Exception as e:  # noqa: BLE001 - recorded, not hidden: torch cannot export it
                manifest[file] = {"model": name, "exported": False, "why": str(e).splitlines()[0][:200]}
                print(f"{file}: torch cannot export it: {manifest[file]['why']}", flush=True)
                continue
            manifest[file] = {"model": name, "exported": True, "opset": opset, "export_params": with_params,
                              "input": [1, 3, size, size], "parameters": params,
                              "macs": {"conv": counter.conv, "linear": counter.linear, "matmul": counter.matmul}}
            print(f"{file}: conv {counter.conv:,} linear {counter.linear:,} matmul {counter.matmul:,} MACs", flush=True)
        del model
        with open(manifest_path, "w") as f:
            json.dump(dict(sorted(manifest.items())), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
