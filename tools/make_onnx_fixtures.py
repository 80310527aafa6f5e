#!/usr/bin/python3
"""Write the ONNX test fixtures of tests/data/onnx/ (ONNX loader, docs/formats.md "ONNX models").

Small graphs built with onnx.helper (Debian's python3-onnx 1.12), covering every mapped op and
attribute form. Weights are initializers stored as external data in 'weights.bin', a file that
does not exist: the loader must read their dims and never their data. Good fixtures get
onnx.shape_inference's value_info (strict mode), so the loader's cross-check of declared shapes
runs on them; the expected shapes and MACs in tests/unit/onnx/ are computed by hand, not taken
from here. tests/data/onnx/bad/ holds malformed files, each made to fail in one specific way.

    /usr/bin/python3 tools/make_onnx_fixtures.py     # rewrites tests/data/onnx/ (deterministic)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx")
IR_VERSION = 8  # what onnx 1.12 writes
FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64


class Graph:
    """Nodes, initializers and the one input/output of a fixture."""

    def __init__(self, input_dims, input_name="x"):
        self.nodes, self.inits = [], []
        self.inputs = [helper.make_tensor_value_info(input_name, FLOAT, input_dims)]
        self.outputs = []
        self.value_info = []

    def weight(self, name, dims):
        """An initializer with dims but no data: external data in a file that is never written."""
        t = TensorProto()
        t.name, t.data_type = name, FLOAT
        t.dims.extend(dims)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", "weights.bin"), ("offset", "0"),
                           ("length", str(4 * int(np.prod(dims))))):
            entry = t.external_data.add()
            entry.key, entry.value = key, value
        self.inits.append(t)
        return name

    def const(self, name, values, dtype=FLOAT, dims=None):
        """An inline initializer with its values (raw_data)."""
        arr = np.array(values, dtype=np.float32 if dtype == FLOAT else np.int64)
        t = helper.make_tensor(name, dtype, list(arr.shape) if dims is None else dims,
                               arr.tobytes(), raw=True)
        self.inits.append(t)
        return name

    def node(self, op, inputs, name=None, outputs=None, domain=None, **attrs):
        out = outputs or [(name or op.lower()) + "_out"]
        self.nodes.append(helper.make_node(op, inputs, out, name=name, domain=domain, **attrs))
        return out[0]

    def constant_node(self, name, values, dtype=FLOAT):
        arr = np.array(values, dtype=np.float32 if dtype == FLOAT else np.int64)
        t = helper.make_tensor(name + "_value", dtype, list(arr.shape), arr.tobytes(), raw=True)
        return self.node("Constant", [], name=name, value=t)

    def output(self, tensor, dims=None, elem=FLOAT):
        self.outputs.append(helper.make_tensor_value_info(tensor, elem, dims))

    def model(self, opset, name):
        g = helper.make_graph(self.nodes, name, self.inputs, self.outputs, self.inits,
                              value_info=self.value_info)
        m = helper.make_model(g, producer_name="tools/make_onnx_fixtures.py",
                              opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = IR_VERSION
        return m


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def save(graph, opset, name, infer=True):
    m = graph.model(opset, name)
    if infer:
        # Declared shapes for the loader to cross-check; strict: any inconsistency is a bug here.
        m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        if len(m.graph.node) > 1 and not m.graph.value_info:
            raise AssertionError(f"{name}: shape inference produced no value_info")
    data = m.SerializeToString()
    write(os.path.join(OUT, name + ".onnx"), data)
    return data


# ---------------------------------------------------------------------------------------------
# Good fixtures
# ---------------------------------------------------------------------------------------------

def conv_forms():
    """Conv: pads order, strides, asymmetric pads, group, dilations, kernel_shape, auto_pad."""
    g = Graph([1, 3, 32, 32])
    t = g.node("Conv", ["x", g.weight("w1", [8, 3, 3, 3]), g.weight("b1", [8])], name="c1",
               pads=[1, 1, 1, 1])
    t = g.node("Conv", [t, g.weight("w2", [16, 8, 3, 3])], name="c2", strides=[2, 2],
               pads=[0, 1, 2, 3])  # [top, left, bottom, right]
    t = g.node("Conv", [t, g.weight("w3", [16, 4, 3, 3])], name="c3", group=4, dilations=[2, 2],
               pads=[2, 2, 2, 2], kernel_shape=[3, 3])
    t = g.node("Conv", [t, g.weight("w4", [8, 16, 3, 3])], name="c4", auto_pad="SAME_UPPER",
               strides=[2, 2])
    t = g.node("Conv", [t, g.weight("w5", [8, 8, 2, 2])], name="c5", auto_pad="SAME_LOWER")
    t = g.node("Conv", [t, g.weight("w6", [4, 8, 3, 3])], name="c6", auto_pad="VALID",
               dilations=[1, 2])
    t = g.node("Conv", [t, g.weight("w7", [4, 1, 3, 3])], name="c7", group=4, strides=[1, 2],
               pads=[1, 1, 1, 1])
    g.output(t, [1, 4, 6, 3])
    return save(g, 13, "conv_forms")


def pools():
    """MaxPool (pads, ceil_mode, dilations), AveragePool (count_include_pad, SAME_UPPER),
    GlobalAveragePool, Flatten, Gemm (transB, bias), MatMul + Add (bias), Softmax."""
    g = Graph([1, 4, 18, 18])
    t = g.node("MaxPool", ["x"], name="p1", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    t = g.node("MaxPool", [t], name="p2", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    t = g.node("MaxPool", [t], name="p3", kernel_shape=[2, 2], dilations=[2, 2])
    t = g.node("AveragePool", [t], name="p4", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
               count_include_pad=1)
    t = g.node("AveragePool", [t], name="p5", kernel_shape=[2, 2], strides=[2, 2],
               auto_pad="SAME_UPPER")
    t = g.node("GlobalAveragePool", [t], name="gap")
    t = g.node("Flatten", [t], name="fl")
    t = g.node("Gemm", [t, g.weight("wg", [6, 4]), g.weight("bg", [6])], name="g1", transB=1)
    t = g.node("MatMul", [t, g.weight("wm", [6, 5])], name="m1")
    t = g.node("Add", [t, g.weight("bm", [5])], name="a1")
    t = g.node("Softmax", [t], name="sm")
    g.output(t, [1, 5])
    return save(g, 13, "pools")


def activations():
    """BatchNormalization, Relu, Clip (Constant nodes, inline initializers, min only), LeakyRelu,
    HardSigmoid, HardSwish, Sigmoid, Mul (squeeze-excitation broadcast), Add, Concat, Dropout
    (ratio input), Identity, LRN, and a 1x1 Conv."""
    g = Graph([1, 8, 8, 8])
    bn = g.node("BatchNormalization", ["x"] + [g.weight(f"bn_{p}", [8]) for p in
                                              ("scale", "bias", "mean", "var")],
                name="bn", epsilon=1e-3)
    r = g.node("Relu", [bn], name="relu")
    t = g.node("Clip", [r, g.constant_node("c_min", 0.0), g.constant_node("c_max", 6.0)],
               name="relu6")
    t = g.node("LeakyRelu", [t], name="leaky", alpha=0.2)
    t = g.node("HardSigmoid", [t], name="hsig")
    t = g.node("HardSwish", [t], name="hswish")
    sg = g.node("Sigmoid", [t], name="sig")
    t = g.node("Clip", [sg, g.const("lo", -1.0), g.const("hi", 1.0)], name="clip11")
    gap = g.node("GlobalAveragePool", [t], name="se_pool")
    t = g.node("Mul", [gap, t], name="se_mul")  # [1,8,1,1] * [1,8,8,8]: operands swapped
    t = g.node("Add", [t, bn], name="add")
    t = g.node("Concat", [t, r], name="cat", axis=1)
    t = g.node("Dropout", [t, g.const("ratio", 0.3)], name="drop")
    t = g.node("Identity", [t], name="ident")
    t = g.node("LRN", [t], name="lrn", size=5)
    t = g.node("Conv", [t, g.weight("wc", [4, 16, 1, 1])], name="conv")
    t = g.node("Clip", [t, g.constant_node("c0", 0.0)], name="clip_min_only")
    g.output(t, [1, 4, 8, 8])
    return save(g, 14, "activations")


def legacy_opset9():
    """Opset 9 forms: Pad (pads attribute) folded into Conv, Clip with min/max attributes,
    Upsample with a scales input, Dropout ratio attribute, Softmax over axis 1 of [1,F]."""
    g = Graph([1, 3, 10, 10])
    t = g.node("Pad", ["x"], name="pad", pads=[0, 0, 1, 1, 0, 0, 1, 1], mode="constant", value=0.0)
    t = g.node("Conv", [t, g.weight("w", [6, 3, 3, 3]), g.weight("b", [6])], name="conv")
    t = g.node("Clip", [t], name="clip", min=0.0, max=6.0)
    t = g.node("Upsample", [t, g.constant_node("scales", [1.0, 1.0, 2.0, 2.0])], name="up",
               mode="nearest")
    t = g.node("MaxPool", [t], name="pool", kernel_shape=[2, 2], strides=[2, 2])
    t = g.node("Dropout", [t], name="drop", ratio=0.25)
    t = g.node("Flatten", [t], name="flat")
    t = g.node("Gemm", [t, g.weight("wf", [10, 600]), g.weight("bf", [10])], name="fc", transB=1)
    t = g.node("Softmax", [t], name="prob")
    g.output(t, [1, 10])
    return save(g, 9, "legacy_opset9")


def upsample_opset7():
    """Upsample with the scales attribute (opsets 7-8), unequal integer scales."""
    g = Graph([1, 2, 3, 4])
    t = g.node("Upsample", ["x"], name="up", scales=[1.0, 1.0, 3.0, 2.0])
    g.output(t, [1, 2, 9, 8])
    return save(g, 7, "upsample_opset7")


def pad_fold():
    """Pad before Conv (summed with the conv's pads), before MaxPool (zeros after ReLU, edge,
    reflect: all exact), before AveragePool (zeros counted), and an all-zero Pad."""
    g = Graph([1, 4, 12, 12])
    t = g.node("Pad", ["x", g.const("pads_a", [0, 0, 1, 2, 0, 0, 3, 0], INT64)], name="pad_a")
    t = g.node("Conv", [t, g.weight("wa", [4, 4, 3, 3])], name="conv_a", pads=[1, 1, 1, 1])
    t = g.node("Relu", [t], name="relu")
    ones = g.const("pads_1", [0, 0, 1, 1, 0, 0, 1, 1], INT64)
    t = g.node("Pad", [t, ones], name="pad_zero")
    t = g.node("MaxPool", [t], name="mp_zero", kernel_shape=[3, 3], strides=[2, 2])
    t = g.node("Pad", [t, ones], name="pad_edge", mode="edge")
    t = g.node("MaxPool", [t], name="mp_edge", kernel_shape=[3, 3], strides=[2, 2])
    t = g.node("Pad", [t, ones], name="pad_reflect", mode="reflect")
    t = g.node("MaxPool", [t], name="mp_reflect", kernel_shape=[3, 3])
    t = g.node("Pad", [t, ones, g.const("zero", 0.0)], name="pad_avg")
    t = g.node("AveragePool", [t], name="ap_zero", kernel_shape=[2, 2], strides=[2, 2])
    t = g.node("Pad", [t, g.const("pads_0", [0] * 8, INT64)], name="pad_nothing")
    t = g.node("Conv", [t, g.weight("wo", [2, 4, 1, 1])], name="conv_out")
    g.output(t, [1, 2, 3, 3])
    return save(g, 13, "pad_fold")


def resize():
    """Resize with scales (asymmetric + floor) and with sizes (the default half_pixel +
    round_prefer_floor, an exact replication at integer scales), SpaceToDepth, DepthToSpace."""
    g = Graph([1, 2, 3, 4])
    t = g.node("Resize", ["x", "", g.const("scales", [1.0, 1.0, 2.0, 2.0])], name="r1",
               mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    t = g.node("Resize", [t, "", "", g.const("sizes", [1, 2, 18, 16], INT64)], name="r2",
               mode="nearest")
    t = g.node("SpaceToDepth", [t], name="s2d", blocksize=2)
    t = g.node("DepthToSpace", [t], name="d2s", blocksize=2, mode="CRD")
    g.output(t, [1, 2, 18, 16])
    return save(g, 13, "resize")


def reshape_chain():
    """x.view(x.size(0), -1) as torch exports it: Shape -> Gather -> Unsqueeze -> Concat with
    [-1] -> Reshape, folded into a flatten; plus a dead branch that is dropped."""
    g = Graph([1, 3, 8, 8])
    c = g.node("Conv", ["x", g.weight("w", [4, 3, 3, 3])], name="conv", pads=[1, 1, 1, 1])
    s = g.node("Shape", [c], name="shape")
    n = g.node("Gather", [s, g.constant_node("zero", 0, INT64)], name="batch", axis=0)
    u = g.node("Unsqueeze", [n, g.const("axes", [0], INT64)], name="unsq")
    cat = g.node("Concat", [u, g.constant_node("minus1", [-1], INT64)], name="target", axis=0)
    t = g.node("Reshape", [c, cat], name="flat")
    g.node("Relu", ["x"], name="dead")  # nothing reads it
    t = g.node("Gemm", [t, g.weight("wf", [10, 256])], name="fc", transB=1)
    g.output(t, [1, 10])
    return save(g, 13, "reshape_chain")


def legacy_reshape():
    """Opset 11: Unsqueeze with an axes attribute in the Reshape chain; MatMul + Add bias."""
    g = Graph([1, 2, 4, 4])
    c = g.node("Conv", ["x", g.weight("w", [3, 2, 1, 1]), g.weight("b", [3])], name="conv")
    s = g.node("Shape", [c], name="shape")
    n = g.node("Gather", [s, g.constant_node("zero", 0, INT64)], name="batch", axis=0)
    u = g.node("Unsqueeze", [n], name="unsq", axes=[0])
    cat = g.node("Concat", [u, g.constant_node("minus1", [-1], INT64)], name="target", axis=0)
    t = g.node("Reshape", [c, cat], name="flat")
    t = g.node("MatMul", [t, g.weight("wm", [48, 7])], name="mm")
    t = g.node("Add", [g.weight("bm", [7]), t], name="bias")  # constant first: still the bias
    g.output(t, [1, 7])
    return save(g, 11, "legacy_reshape")


def squeeze_unnamed():
    """Unnamed nodes (layer names come from output tensors), GlobalAveragePool -> Squeeze at
    axes 2, 3 (a flatten), no value_info at all."""
    g = Graph([1, 5, 6, 6])
    g.nodes.append(helper.make_node("GlobalAveragePool", ["x"], ["pooled"]))
    g.nodes.append(helper.make_node("Squeeze", ["pooled"], ["squeezed"], axes=[2, 3]))
    wf = g.weight("wf", [3, 5])
    g.nodes.append(helper.make_node("Gemm", ["squeezed", wf], ["logits"], transB=1))
    g.output("logits", [1, 3])
    return save(g, 11, "squeeze_unnamed", infer=False)


def external_values():
    """Small values stored as external data in a file that exists (external_values.bin): the
    loader reads them (a Reshape target, Clip bounds) at the offsets the tensors name."""
    g = Graph([1, 2, 3, 3])
    blob = np.array([1, -1], np.int64).tobytes() + np.array([0.5, 2.0], np.float32).tobytes()
    write(os.path.join(OUT, "external_values.bin"), blob)

    def external(name, dtype, dims, offset, length):
        t = TensorProto()
        t.name, t.data_type = name, dtype
        t.dims.extend(dims)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", "external_values.bin"), ("offset", str(offset)),
                           ("length", str(length))):
            entry = t.external_data.add()
            entry.key, entry.value = key, value
        g.inits.append(t)
        return name

    t = g.node("Clip", ["x", external("lo", FLOAT, [], 16, 4), external("hi", FLOAT, [], 20, 4)],
               name="clip")
    t = g.node("Reshape", [t, external("target", INT64, [2], 0, 16)], name="flat")
    g.output(t, [1, 18])
    return save(g, 13, "external_values", infer=False)


def clashing_names():
    """Node names that clash with each other or with the reserved name 'input': such layers take
    their output tensor's name."""
    g = Graph([1, 2, 4, 4])
    g.node("Relu", ["x"], name="act", outputs=["a1"])
    g.node("Sigmoid", ["a1"], name="act", outputs=["a2"])
    g.node("Relu", ["a2"], name="input", outputs=["a3"])
    g.output("a3", [1, 2, 4, 4])
    return save(g, 13, "clashing_names")


def inline_weights():
    """Inline weights: a 9216-byte raw_data conv weight (over the loader's 4 KiB, skipped unread),
    a float_data bias, and a Reshape target from an inline initializer."""
    g = Graph([1, 16, 8, 8])
    w = helper.make_tensor("w", FLOAT, [16, 16, 3, 3],
                           (np.arange(16 * 16 * 9, dtype=np.float32) / 100).tobytes(), raw=True)
    b = helper.make_tensor("b", FLOAT, [16], [0.5] * 16)  # float_data, not raw
    g.inits += [w, b]
    t = g.node("Conv", ["x", "w", "b"], name="conv", pads=[1, 1, 1, 1])
    t = g.node("Reshape", [t, g.const("target", [1, -1], INT64)], name="flat")
    g.output(t, [1, 1024])
    return save(g, 13, "inline_weights")


# ---------------------------------------------------------------------------------------------
# Bad fixtures: each fails in one way (the CLI test lists the message it expects)
# ---------------------------------------------------------------------------------------------

def bad(name, data):
    write(os.path.join(OUT, "bad", name + ".onnx"), data)


def raw_model(graph, opset=13):
    return graph.model(opset, "bad").SerializeToString()


def bad_fixtures(pools_bytes):
    bad("truncated", pools_bytes[: len(pools_bytes) * 3 // 5])
    bad("empty", b"")
    bad("text", b"This is a text file, not an ONNX model.\n")
    bad("json", b'{"format": "edgepart.model", "version": 1}\n')
    # ir_version 7, then a tag with wire type 7 (which protobuf does not define).
    bad("bad_wire_type", b"\x08\x07\x0f\x00")
    # ir_version 7, then the graph field (7, length-delimited) claiming 2^28 bytes.
    bad("huge_length", b"\x08\x07\x3a\x80\x80\x80\x80\x01\x0a\x00")

    m = onnx.ModelProto()
    m.ir_version = IR_VERSION
    m.opset_import.append(helper.make_opsetid("", 13))
    bad("no_graph", m.SerializeToString())

    g = Graph([1, 3, 8, 8])
    g.output("x", [1, 3, 8, 8])
    bad("empty_graph", raw_model(g))

    g = Graph([1, 3, 8, 8])
    t = g.node("Einsum", ["x"], name="e1", equation="nchw->nchw")
    t = g.node("Relu", [t], name="r")
    t = g.node("TopK", [t, g.const("k", [1], INT64)], name="top", outputs=["vals", "idx"])
    t = g.node("Einsum", [t], name="e2", equation="nchw->nchw")
    t = g.node("FancyOp", [t], name="fancy", domain="com.example")
    g.output(t)
    bad("unsupported_ops", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.output(g.node("MaxPool", ["x"], name="pool", strides=[2, 2]))
    bad("missing_attribute", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.output(g.node("Conv", ["x", g.weight("w", [8, 4, 3, 3])], name="conv"))
    bad("inconsistent_dims", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.node("Add", ["x", "b"], name="n1", outputs=["a"])
    g.node("Relu", ["a"], name="n2", outputs=["b"])
    g.output(g.node("Relu", ["a"], name="n3"))
    bad("cycle", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.output(g.node("Relu", ["ghost"], name="r"))
    bad("dangling_input", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.node("Relu", ["x"], name="r1", outputs=["y"])
    g.node("Sigmoid", ["x"], name="r2", outputs=["y"])
    g.output("y")
    bad("written_twice", raw_model(g))

    g = Graph([1, 3, 32, 32])
    t = g.node("Conv", ["x", g.weight("w", [8, 3, 3, 3])], name="conv", pads=[1, 1, 1, 1])
    g.value_info.append(helper.make_tensor_value_info(t, FLOAT, [1, 8, 30, 30]))
    g.output(g.node("Relu", [t], name="relu"))
    bad("value_info_mismatch", raw_model(g))

    g = Graph([1, 3, 8, 8])
    g.inputs.append(helper.make_tensor_value_info("x2", FLOAT, [1, 3, 8, 8]))
    g.output(g.node("Add", ["x", "x2"], name="add"))
    bad("two_inputs", raw_model(g))

    g = Graph([4, 3, 8, 8])
    g.output(g.node("Relu", ["x"], name="r"))
    bad("batch_4", raw_model(g))

    g = Graph([1, 4, 8, 8])
    g.output(g.node("Reshape", ["x", g.const("shape", [1, 2, -1], INT64)], name="reshape"))
    bad("reshape_unsupported", raw_model(g))

    g = Graph([1, 4, 8, 8])
    g.output(g.node("Clip", ["x", g.weight("lo", []), g.weight("hi", [])], name="clip"))
    bad("clip_unavailable", raw_model(g))

    g = Graph([1, 4, 8, 8])
    t = g.node("Pad", ["x", g.const("pads", [0, 0, 1, 1, 0, 0, 1, 1], INT64)], name="pad",
               mode="reflect")
    g.output(g.node("Conv", [t, g.weight("w", [4, 4, 3, 3])], name="conv"))
    bad("reflect_before_conv", raw_model(g))

    g = Graph([1, 4, 8, 8])
    g.output(g.node("Resize", ["x", "", g.const("scales", [1.0, 1.0, 2.0, 2.0])], name="up",
                    mode="linear"))
    bad("resize_linear", raw_model(g))

    g = Graph([1, 4, 8, 8])
    t = g.node("Flatten", ["x"], name="flat")
    g.output(g.node("Gemm", [t, g.weight("w", [10, 200])], name="fc", transB=1))
    bad("gemm_dims", raw_model(g))

    g = Graph([1, 4, 8, 8])
    g.node("MaxPool", ["x"], name="pool", kernel_shape=[2, 2], outputs=["y", "idx"])
    g.output("idx", elem=INT64)
    bad("indices_output", raw_model(g))

    g = Graph([1, 4, 8, 8])
    g.node("BatchNormalization", ["x"] + [g.weight(f"bn_{p}", [4]) for p in ("s", "b", "m", "v")],
           name="bn", outputs=["y", "mean", "var", "saved_mean", "saved_var"])
    g.output(g.node("Relu", ["saved_mean"], name="r"))
    bad("training_output_used", raw_model(g, opset=9))

    # Sizes computed from file data that overflow 64 bits (each was a crash or undefined
    # behaviour): dims x element size wrapping to 0 let an empty raw_data pass the size check.
    def empty_tensor(name, dtype, dims, external=False):
        t = TensorProto()
        t.name, t.data_type = name, dtype
        t.dims.extend(dims)
        if external:
            t.data_location = TensorProto.EXTERNAL
            entry = t.external_data.add()
            entry.key, entry.value = "location", "weights.bin"
        else:
            t.raw_data = b""
        return t

    for name, dtype, dims, external in (("bytes_overflow_int64", INT64, [2**61], False),
                                        ("bytes_overflow_float", FLOAT, [2**32, 2**30], False),
                                        ("bytes_overflow_external", INT64, [2**61], True)):
        g = Graph([1, 4, 8, 8])
        g.inits.append(empty_tensor("shape", dtype, dims, external))
        g.output(g.node("Reshape", ["x", "shape"], name="reshape"))
        bad(name, raw_model(g))

    # SAME padding with a dilation near 2^62: d * (k - 1) overflows.
    g = Graph([1, 3, 8, 8])
    g.output(g.node("Conv", ["x", g.weight("w", [8, 3, 3, 3])], name="conv", auto_pad="SAME_UPPER",
                    dilations=[2**62, 1]))
    bad("same_pads_overflow", raw_model(g))

    # A Pad of 2^62 rows on each side folded into a Conv: the padded height overflows (opset 10:
    # pads as an int64 attribute; a pads tensor is read through doubles and refused beyond 2^53).
    g = Graph([1, 4, 8, 8])
    t = g.node("Pad", ["x"], name="pad", pads=[0, 0, 2**62, 0, 0, 0, 2**62, 0])
    g.output(g.node("Conv", [t, g.weight("w", [4, 4, 3, 3])], name="conv"))
    bad("pads_overflow", raw_model(g, opset=10))

    g = Graph([1, 4, 8, 8])
    g.output(g.node("Relu", ["x"], name="r"))
    m = g.model(13, "bad")
    m.opset_import[0].version = 2**62
    bad("opset_huge", m.SerializeToString())

    g = Graph([1, 4, 8, 8])
    g.output(g.node("Relu", ["x"], name="r"))
    m = g.model(13, "bad")
    m.opset_import.append(helper.make_opsetid("ai.onnx", 11))
    bad("opset_twice", m.SerializeToString())

    # Pool padding beyond half the kernel (PyTorch refuses it; ONNX Runtime too): windows of
    # padding only.
    g = Graph([1, 4, 8, 8])
    g.output(g.node("MaxPool", ["x"], name="pool", kernel_shape=[2, 2], pads=[2, 2, 2, 2]))
    bad("pool_padding_over_half", raw_model(g))

    # A node whose operator name is empty: the message must show it, not print nothing.
    g = Graph([1, 4, 8, 8])
    g.output(g.node("", ["x"], name="nameless"))
    bad("empty_op_type", raw_model(g))


def main():
    pools_bytes = pools()
    for make in (conv_forms, activations, legacy_opset9, upsample_opset7, pad_fold, resize,
                 reshape_chain, legacy_reshape, squeeze_unnamed, clashing_names, external_values, inline_weights):
        make()
    bad_fixtures(pools_bytes)
    for root, _, files in sorted(os.walk(OUT)):
        for f in sorted(files):
            p = os.path.join(root, f)
            print(f"{os.path.relpath(p, OUT):32} {os.path.getsize(p):7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
