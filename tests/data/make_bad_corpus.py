#!/usr/bin/env python3
# Writes tests/data/bad/ (the malformed-model corpus) and its manifest expected.txt. Run from anywhere:
#   python3 tests/data/make_bad_corpus.py
# Locations in the manifest are read off the texts written here (line and 1-based byte column).
import os

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")
os.makedirs(out, exist_ok=True)
manifest = []

def model(name, layers, input_="[3, 32, 32]", extra=""):
    head = '{\n  "format": "edgepart.model", "version": 1, "name": "%s",\n  "source": "tests/data/bad",%s\n  "input": %s,\n  "layers": [\n' % (name, extra, input_)
    return head + ",\n".join("    " + l for l in layers) + "\n  ]\n}\n"

def add(fname, text, where, message):
    path = os.path.join(out, fname)
    if isinstance(text, bytes):
        open(path, "wb").write(text)
    else:
        open(path, "w").write(text)
    manifest.append((fname, where, message))

conv = '{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1}'
relu = '{"name": "relu1", "op": "relu"}'

# --- not JSON at all: line:column
add("syntax_trailing_comma.json", '{\n  "format": "edgepart.model",\n  "version": 1,\n}\n', "line 4, column 1", "invalid JSON")
add("syntax_unclosed_array.json", '{"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 32, 32,\n', "line 2, column 1", "invalid JSON")
add("syntax_single_quotes.json", "{'format': 'edgepart.model'}\n", "line 1, column 2", "invalid JSON")
add("syntax_nan_literal.json", model("nan", ['{"name": "c", "op": "conv2d", "out_channels": NaN, "kernel": 3}']), "line 6, column *", "invalid JSON")
add("empty.json", "", "line 1, column 1", "invalid JSON")
add("whitespace_only.json", "  \n\n", "line 3, column 1", "invalid JSON")
# 256 bytes of fixed "garbage": a PNG signature followed by bytes 0..247 (reproducible, not random)
add("binary_garbage.json", bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(248)), "line 1, column 1", "invalid JSON")
add("deep_nesting.json", "[" * 10000 + "]" * 10000 + "\n", "line 1, column 65", "nested deeper than 64 levels")
add("deep_nesting_objects.json", '{"a": ' * 5000 + "1" + "}" * 5000 + "\n", "line 1, column 385", "nested deeper than 64 levels")
add("duplicate_key.json", model("dupkey", ['{"name": "c", "op": "conv2d", "out_channels": 8, "kernel": 3, "kernel": 5}']), "line 6, column 67", "duplicate key 'kernel'")
# --- header
add("not_an_object.json", "[1, 2, 3]\n", "/", "expected an object")
add("missing_format.json", '{"version": 1, "name": "x", "input": [3, 8, 8], "layers": [{"name": "r", "op": "relu"}]}\n', "/", "missing required key 'format'")
add("wrong_format.json", '{"format": "edgepart.modle", "version": 1, "name": "x", "input": [3, 8, 8], "layers": [{"name": "r", "op": "relu"}]}\n', "/format", "\"edgepart.modle\"")
add("wrong_version.json", '{"format": "edgepart.model", "version": 2, "name": "x", "input": [3, 8, 8], "layers": [{"name": "r", "op": "relu"}]}\n', "/version", "unsupported version 2")
add("version_not_int.json", '{"format": "edgepart.model", "version": "1", "name": "x", "input": [3, 8, 8], "layers": [{"name": "r", "op": "relu"}]}\n', "/version", "expected an integer")
add("unknown_top_key.json", model("topkey", [relu], extra='\n  "dtype_byte": 2,'), "/dtype_byte", "did you mean 'dtype_bytes'?")
add("missing_layers.json", '{"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 8, 8]}\n', "/", "missing required key 'layers'")
add("empty_layers.json", model("nolayers", []), "/layers", "at least one layer")
add("input_two_dims.json", model("in2", [relu], input_="[3, 32]"), "/input", "expected [C, H, W]")
add("input_zero_size.json", model("in0", [relu], input_="[3, 0, 32]"), "/input/1", "must be >= 1 (got 0)")
add("dtype_bytes_zero.json", model("dt0", [relu], extra='\n  "dtype_bytes": 0,'), "/dtype_bytes", "must be in [1, 16]")
# --- layers: keys and types
add("layer_not_object.json", model("lno", ['"conv1"']), "/layers/0", "expected an object")
add("missing_op.json", model("noop", ['{"name": "conv1", "out_channels": 8, "kernel": 3}']), "/layers/0", "missing required key 'op'")
add("missing_out_channels.json", model("nooc", ['{"name": "conv1", "op": "conv2d", "kernel": 3}']), "/layers/0", "missing required key 'out_channels'")
add("unknown_layer_key.json", model("kernal", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernal": 3}']), "/layers/0/kernal", "did you mean 'kernel'?")
add("kernel_string.json", model("kstr", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": "3x3"}']), "/layers/0/kernel", "expected an integer")
add("kernel_fraction.json", model("kfrac", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3.5}']), "/layers/0/kernel", "expected an integer (got 3.5)")
add("bias_not_bool.json", model("bias", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "bias": 1}']), "/layers/0/bias", "expected true or false")
add("name_not_string.json", model("nns", ['{"name": 7, "op": "relu"}']), "/layers/0/name", "expected a string")
add("inputs_not_array.json", model("ina", [conv, '{"name": "relu1", "op": "relu", "inputs": "conv1"}']), "/layers/1/inputs", "expected an array")
add("padding_three_values.json", model("pad3", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": [1, 1, 1]}']), "/layers/0/padding", "[top, left, bottom, right]")
add("unknown_op.json", model("uop", [conv, '{"name": "pool1", "op": "maxpool3d", "kernel": 2}']), "/layers/1/op", "unknown op 'maxpool3d' in layer 'pool1'; did you mean 'maxpool2d'?")
add("name_with_newline.json", model("nl", ['{"name": "a\\nb", "op": "relu"}', '{"name": "a\\nb", "op": "relu"}']), "/layers/1", "duplicate layer name 'a\\nb'")
# --- graph structure
add("dangling_input.json", model("dangling", [conv, '{"name": "relu1", "op": "relu", "inputs": ["conv2"]}']), "/layers/1/inputs/0", "reads unknown layer 'conv2'; did you mean 'conv1'?")
add("cycle.json", model("cycle", [conv, '{"name": "a", "op": "add", "inputs": ["conv1", "c"]}', '{"name": "b", "op": "relu", "inputs": ["a"]}', '{"name": "c", "op": "relu", "inputs": ["b"]}']), "/layers/*", "the layers form a cycle: ")
add("self_loop.json", model("self", ['{"name": "r", "op": "relu", "inputs": ["r"]}']), "/layers/0", "cycle: r -> r")
add("duplicate_name.json", model("dupname", [conv, '{"name": "conv1", "op": "relu"}']), "/layers/1", "duplicate layer name 'conv1'")
add("reserved_name_input.json", model("resv", ['{"name": "input", "op": "relu"}']), "/layers/0/name", "'input' is reserved")
add("add_one_input.json", model("add1", [conv, '{"name": "sum", "op": "add", "inputs": ["conv1"]}']), "/layers/1", "takes at least 2 inputs (got 1)")
add("relu_two_inputs.json", model("relu2", [conv, '{"name": "r", "op": "relu", "inputs": ["conv1", "input"]}']), "/layers/1", "takes 1 input (got 2)")
# --- values and shapes
add("zero_out_channels.json", model("oc0", ['{"name": "conv1", "op": "conv2d", "out_channels": 0, "kernel": 3}']), "/layers/0/out_channels", "must be >= 1 (got 0)")
add("negative_stride.json", model("sneg", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "stride": [1, -2]}']), "/layers/0/stride/1", "must be >= 1 (got -2)")
add("negative_padding.json", model("pneg", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": -1}']), "/layers/0/padding", "must be >= 0 (got -1)")
add("zero_block_size.json", model("b0", ['{"name": "reorg", "op": "space_to_depth", "block_size": 0}']), "/layers/0/block_size", "must be >= 1 (got 0)")
add("dropout_p_above_one.json", model("p", [relu, '{"name": "d", "op": "dropout", "p": 1.5}']), "/layers/1/p", "must be in [0, 1]")
add("add_channel_mismatch.json", model("addmis", [conv, '{"name": "sum", "op": "add", "inputs": ["input", "conv1"]}']), "/layers/1", "inputs must have equal shapes (got [3,32,32] and [8,32,32])")
add("concat_size_mismatch.json", model("catmis", [conv, '{"name": "pool1", "op": "maxpool2d", "kernel": 2}', '{"name": "cat", "op": "concat", "inputs": ["conv1", "pool1"]}']), "/layers/2", "equal height and width (got [8,32,32] and [8,16,16])")
add("mul_bad_broadcast.json", model("mulmis", [conv, '{"name": "gap", "op": "adaptive_avgpool2d", "output_size": 1, "inputs": ["input"]}', '{"name": "scale", "op": "mul", "inputs": ["conv1", "gap"]}']), "/layers/2", "second input must equal the first or be [C,1,1]")
add("kernel_larger_than_input.json", model("bigk", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 11, "padding": 1}'], input_="[3, 8, 8]"), "/layers/0", "larger than the padded input 10x10")
add("pool_larger_than_input.json", model("bigpool", [conv, '{"name": "pool1", "op": "maxpool2d", "kernel": 3, "stride": 2}', '{"name": "pool2", "op": "maxpool2d", "kernel": 3, "stride": 2}'], input_="[3, 4, 4]"), "/layers/2", "layer 'pool2' (maxpool2d): kernel 3x3")
add("groups_not_dividing.json", model("groups", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "groups": 2}']), "/layers/0", "input channels 3 are not divisible by groups 2")
add("flat_input_to_conv.json", model("flatconv", ['{"name": "flat", "op": "flatten"}', '{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 1}']), "/layers/1", "needs a [C,H,W] input (got [3072])")
add("linear_without_flatten.json", model("noflat", [conv, '{"name": "fc", "op": "linear", "out_features": 10}']), "/layers/1", "needs a flat input (got [8,32,32]; add a flatten layer)")
add("space_to_depth_indivisible.json", model("reorg", ['{"name": "reorg", "op": "space_to_depth", "block_size": 2}'], input_="[3, 13, 13]"), "/layers/0", "divisible by block_size 2")
add("overflow_u64_literal.json", model("u64", ['{"name": "conv1", "op": "conv2d", "out_channels": 18446744073709551615, "kernel": 3}']), "/layers/0/out_channels", "integer too large for 64 bits")
add("overflow_int64_literal.json", model("i64", ['{"name": "conv1", "op": "conv2d", "out_channels": 9223372036854775808, "kernel": 3}']), "/layers/0/out_channels", "integer too large for 64 bits")
add("overflow_input_elements.json", model("elems", [relu], input_="[2147483648, 2147483648, 2147483648]"), "/layers/0", "sizes overflow 64-bit arithmetic")
add("overflow_conv_macs.json", model("macs", ['{"name": "conv1", "op": "conv2d", "out_channels": 1024, "kernel": 3, "padding": 1}'], input_="[1024, 1048576, 1048576]"), "/layers/0", "sizes overflow 64-bit arithmetic")
add("overflow_padding.json", model("padov", ['{"name": "conv1", "op": "conv2d", "out_channels": 8, "kernel": 3, "padding": 9223372036854775807}']), "/layers/0", "sizes overflow 64-bit arithmetic")
add("overflow_upsample.json", model("upov", ['{"name": "up", "op": "upsample", "scale": 4611686018427387904}']), "/layers/0", "sizes overflow 64-bit arithmetic")

add("number_out_of_range.json", model("e400", ['{"name": "d", "op": "dropout", "p": 1e400}']), "line 6, column 41", "number 1e400 is out of range")
add("trailing_garbage.json", model("trail", [relu]) + "}\n", "line 9, column 1", "expected end of input")
add("unclosed_comment.json", "/* a model\n{\"format\": \"edgepart.model\"}\n", "line 3, column 1", "invalid JSON")
add("invalid_utf8.json", model("utf", ['{"name": "caf\xe9", "op": "relu"}']).encode("latin-1"), "line 6, column *", "ill-formed UTF-8")
add("clip_min_above_max.json", model("clip", [relu, '{"name": "c", "op": "clip", "min": 6, "max": 0}']), "/layers/1/max", "must be >= min")
add("upsample_bad_mode.json", model("mode", ['{"name": "up", "op": "upsample", "scale": 2, "mode": "bilinear"}']), "/layers/0/mode", "unknown value 'bilinear'")
add("input_not_array.json", model("instr", [relu], input_='"3x32x32"'), "/input", "expected an array")
add("layers_not_array.json", '{"format": "edgepart.model", "version": 1, "name": "x", "input": [3, 8, 8], "layers": {"relu1": {"op": "relu"}}}\n', "/layers", "expected an array")

with open(os.path.join(out, "expected.txt"), "w") as f:
    f.write("# The bad-input corpus: one malformed model per file, checked by tests/unit/cli/bad_corpus_test.cpp.\n")
    f.write("# `edgepart inspect FILE` and `edgepart validate FILE` must exit 2 with\n")
    f.write("#   edgepart: error: tests/data/bad/FILE: WHERE...: ...MESSAGE...\n")
    f.write("# WHERE is the JSON pointer (or \"line L, column C\" for text that is not valid JSON), matched\n")
    f.write("# exactly, or as a prefix when it ends with '*'; MESSAGE is a substring of the message.\n")
    f.write("# Fields are separated by ' | '. Every file in this folder must be listed here.\n")
    f.write("# file | where | message\n")
    for fname, where, msg in manifest:
        f.write("%s | %s | %s\n" % (fname, where, msg))
print(len(manifest))
