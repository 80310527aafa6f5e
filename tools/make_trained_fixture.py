#!/usr/bin/python3
"""Write tests/data/onnx/trained/: a small CNN exported by PyTorch WITH its weights, the input it
was run on and PyTorch's output, so the reference executor's run with the file's weights
(`--weights`, model::load_onnx_params) is checked against PyTorch itself, an independent
implementation.

The net covers every layer kind with parameters and every layout the loader maps: a biased conv,
BatchNorm with non-trivial running statistics, a grouped conv without bias, Linear (Gemm with
transB=1) and a MatMul + Add (a [in][out] matrix the loader transposes, and an Add folded as the
bias). Weights are drawn from a fixed seed; nothing is downloaded.

    /usr/bin/python3 tools/make_trained_fixture.py    # rewrites tests/data/onnx/trained/ (deterministic)

Files: small_cnn.onnx (weights inline), small_cnn_external.onnx + small_cnn_external.data
(the same weights as external data), input.f32 and expected.f32 (raw little-endian float32,
[3,16,16] and [10]).
"""
import os

import numpy as np
import onnx
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx", "trained")


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=False)
        self.fc1 = nn.Linear(8 * 8 * 8, 32)
        self.w2 = nn.Parameter(torch.randn(32, 10) * 0.2)  # x @ w2 + b2 exports as MatMul + Add
        self.b2 = nn.Parameter(torch.randn(10))

    def forward(self, x):
        x = self.pool(self.bn1(torch.relu(self.conv1(x))))  # BN after ReLU: the exporter cannot fold it into the conv
        x = torch.relu(self.conv2(x))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return torch.matmul(x, self.w2) + self.b2


def main():
    torch.manual_seed(20261202)
    net = SmallCnn()
    with torch.no_grad():  # running statistics far from the identity, so a wrong fold shows
        net.bn1.running_mean.uniform_(-0.5, 0.5)
        net.bn1.running_var.uniform_(0.5, 2.0)
        net.bn1.weight.uniform_(0.5, 1.5)
        net.bn1.bias.uniform_(-0.3, 0.3)
    net.eval()
    x = torch.from_numpy(np.random.default_rng(7).uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32))
    with torch.no_grad():
        y = net(x)
    os.makedirs(OUT, exist_ok=True)
    inline = os.path.join(OUT, "small_cnn.onnx")
    torch.onnx.export(net, x, inline, opset_version=13, input_names=["x"], output_names=["y"])
    model = onnx.load(inline)
    onnx.save_model(model, os.path.join(OUT, "small_cnn_external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="small_cnn_external.data", size_threshold=0)
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "input.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, "expected.f32"))
    print("wrote", OUT, "output", y.numpy().ravel()[:3], "...")


if __name__ == "__main__":
    main()
