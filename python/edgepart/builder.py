"""PlanBuilder: the plan of a Python strategy, assembled as the C++ strategies assemble theirs
(src/strategy/plan_builder.hpp): stages with per-device regions, compute tasks, transfers and
dependencies. to_dict() gives the plan JSON (docs/formats.md "Plan") without a prediction; the
engine validates it as a plan file, checks it against the model and predicts it."""


class PlanBuilder:
    def __init__(self, model, cluster, options=None, lossless=True):
        """model, cluster: what the strategy function was given."""
        self.model = model
        self.cluster = cluster
        self.options = dict(options or {})
        self.lossless = lossless
        self.stages = []
        self.tasks = []
        self.notes = []
        # Per task: (live activation bytes, weight bytes); memory is filled in by to_dict().
        self._memory_parts = []

    # ---- the model's tensors ----

    @property
    def source(self):
        return self.cluster["source"]

    @property
    def layers(self):
        return self.model["layers"]

    def layer_index(self, name):
        for i, layer in enumerate(self.layers):
            if layer["name"] == name:
                return i
        raise KeyError(f"no layer '{name}'")

    def shape(self, layer):
        """Output shape of a layer; layer -1 is the model input."""
        return self.model["input_shape"] if layer == -1 else self.layers[layer]["output_shape"]

    def tensor_bytes(self, layer):
        """Bytes of a layer's whole output (-1: the model input): elements x dtype_bytes."""
        if layer != -1:
            return float(self.layers[layer]["output_bytes"])
        count = 1
        for d in self.model["input_shape"]:
            count *= d
        return float(count * self.model["dtype_bytes"])

    def whole_spans(self, layer):
        """The (rows, cols) spans of a tensor's whole map; a flat tensor's are [0, 0], [0, 0]."""
        shape = self.shape(layer)
        if len(shape) == 3:
            return [0, shape[1] - 1], [0, shape[2] - 1]
        return [0, 0], [0, 0]

    def whole_piece(self, layer):
        """What a transfer of the whole tensor carries: every channel, row and column."""
        shape = self.shape(layer)
        rows, cols = self.whole_spans(layer)
        return {"tensor": layer, "channels": [0, shape[0] - 1], "rows": rows, "cols": cols}

    def range_flops(self, first, last):
        """FLOPs of layers first..last, whole, by op name (as the plan's compute tasks carry them;
        ops without FLOPs are left out, as in the C++ range_flops)."""
        flops = {}
        for layer in self.layers[first:last + 1]:
            if layer["flops"] > 0:
                flops[layer["op"]] = flops.get(layer["op"], 0.0) + float(layer["flops"])
        return flops

    def weight_bytes(self, first, last):
        """Weights of layers first..last: parameters x dtype_bytes."""
        return float(sum(l["params"] for l in self.layers[first:last + 1]) * self.model["dtype_bytes"])

    def peak_activation_bytes(self, first, last):
        """Layers run one at a time: the largest (inputs + output) bytes over first..last."""
        names = {l["name"]: i for i, l in enumerate(self.layers)}
        peak = 0.0
        for i in range(first, last + 1):
            inputs = sum(self.tensor_bytes(-1 if n == "input" else names[n]) for n in self.layers[i]["inputs"])
            peak = max(peak, inputs + self.tensor_bytes(i))
        return peak

    # ---- assembling ----

    def whole_stage(self, device, first, last, input_layer=None):
        """A stage running layers first..last whole on `device` (split "none"); returns its index.
        input_layer: the tensor the stage reads (default: the layer before first, -1 for the input)."""
        if input_layer is None:
            input_layer = first - 1
        rows, cols = [], []
        for layer in range(first, last + 1):
            r, c = self.whole_spans(layer)
            rows.append(r)
            cols.append(c)
        in_rows, in_cols = self.whole_spans(input_layer)
        region = {"device": device, "tile": -1, "rows": rows, "cols": cols, "input_rows": in_rows,
                  "input_cols": in_cols}
        return self.add_stage({"first_layer": first, "last_layer": last, "split": "none", "regions": [region]})

    def add_stage(self, stage):
        """A stage dict (first_layer, last_layer, split, regions); returns its index."""
        self.stages.append(stage)
        return len(self.stages) - 1

    def compute(self, device, stage, deps=(), name=None, flops=None, activation_bytes=0.0, weight_bytes=0.0,
                region=None):
        """A compute task on `device` running its region of `stage` (region: the index of the
        stage's region for that device by default). flops: by op name (default: the stage's layers
        whole). Returns the task id."""
        st = self.stages[stage]
        if region is None:
            region = next((i for i, r in enumerate(st["regions"]) if r["device"] == device), 0)
        if flops is None:
            flops = self.range_flops(st["first_layer"], st["last_layer"])
        task = {"kind": "compute", "name": name or f"stage{stage}/{self._device_name(device)}", "stage": stage,
                "region": region, "deps": sorted(deps), "dispatch": "static", "device": device, "flops": dict(flops),
                "memory_bytes": 0.0}
        return self._add(task, activation_bytes, weight_bytes)

    def transfer(self, src, dst, nbytes, data=None, deps=(), name=None, stage=None):
        """A transfer of `data` (a tensor piece, e.g. whole_piece(layer)) from src to dst; returns
        what a consumer waits for: [its id], or deps unchanged when nothing moves (src == dst or
        0 bytes), as the C++ builder does."""
        if src == dst or nbytes == 0:
            return sorted(deps)
        task = {"kind": "transfer", "name": name or f"{self._device_name(src)}->{self._device_name(dst)}",
                "deps": sorted(deps), "from": src, "to": dst, "bytes": float(nbytes), "compressed": False}
        if stage is not None:
            task["stage"] = stage
        if data is not None:
            task["data"] = data
        return [self._add(task, 0.0, 0.0)]

    def note(self, text):
        self.notes.append(str(text))

    def to_dict(self):
        """The plan JSON, memory filled in as the C++ builder's finish(): a device holds the weights
        of everything it runs; each task needs those plus its own activations."""
        resident = {}
        for task, (_, weights) in zip(self.tasks, self._memory_parts):
            if task["kind"] != "transfer":
                resident[task["device"]] = resident.get(task["device"], 0.0) + weights
        tasks = []
        for task, (activations, _) in zip(self.tasks, self._memory_parts):
            task = dict(task)
            if task["kind"] != "transfer":
                task["memory_bytes"] = resident[task["device"]] + activations
            tasks.append(task)
        return {"format": "edgepart.plan", "version": 1, "options": self.options,
                "model": {"name": self.model["model"], "hash": self.model["hash"]},
                "devices": [d["name"] for d in self.cluster["devices"]], "source": self.source, "rate_peer": -1,
                "lossless": self.lossless, "notes": list(self.notes),
                "variants": [{"min_rate_mbps": 0.0, "max_rate_mbps": None, "stages": list(self.stages),
                              "tasks": tasks}]}

    def _device_name(self, device):
        return self.cluster["devices"][device]["name"]

    def _add(self, task, activation_bytes, weight_bytes):
        task["id"] = len(self.tasks)
        self.tasks.append(task)
        self._memory_parts.append((float(activation_bytes), float(weight_bytes)))
        return task["id"]
