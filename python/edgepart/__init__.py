"""edgepart from Python: the partition planner and discrete-event simulator of the `edgepart` CLI.

Every function runs the same C++ pipeline as the CLI (include/edgepart/pipeline), so
``simulate(...)`` returns exactly the JSON of ``edgepart simulate --format json`` as plain dicts
and lists. Bad input raises ``InputError`` (a ValueError) whose message is the CLI's one-line
``FILE: WHERE: MESSAGE``. Strategies may be written in Python (``register_strategy``) and run
side by side with the built-in ones. See docs/python.md.
"""
import json as _json
import os as _os

from . import _edgepart
from ._edgepart import InputError, InternalError
from .builder import PlanBuilder
from .tables import Report, Rows

__all__ = ["InputError", "InternalError", "PlanBuilder", "Report", "Rows", "load_model", "plan", "region",
           "register_strategy", "simulate", "strategies", "sweep", "unregister_strategy"]

_python_strategies = {}


def load_model(path):
    """A model file (.json, .onnx) as `edgepart inspect --format json` shows it: per-layer records
    (name, op, inputs, output_shape, macs, flops, params, output_bytes, receptive_field), totals."""
    return _json.loads(_edgepart.load_model(_os.fspath(path)))


def _range_text(value):
    """A region range as the CLI's "A:B": from "A:B", (A, B) or a single row/column A."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value}:{value}"
    first, last = value
    return f"{int(first)}:{int(last)}"


def region(model, to, rows, cols=None, from_layer=None):
    """`edgepart region MODEL --to TO --rows A:B [--cols C:D] [--from FROM] --format json` as a dict:
    the region of every layer from `from_layer` (default the first) to `to` needed to compute rows
    (and columns; default all) of `to`'s output, and the region of the input ("input", then "layers"
    with each layer's "input"/"output" {"rows": [a, b], "cols": [c, d]}, "block_inputs", MACs,
    FLOPs). Layers by name or index; ranges "A:B", (A, B) or one index, inclusive and 0-based."""
    query = _edgepart.RegionQuery(str(to), _range_text(rows), _range_text(cols),
                                  "" if from_layer is None else str(from_layer))
    return _json.loads(_edgepart.region(_os.fspath(model), query))


def strategies():
    """Built-in strategy names in registry order, then the registered Python strategies."""
    return list(_edgepart.strategy_names()) + sorted(_python_strategies)


def register_strategy(name, function=None):
    """Registers function(model, cluster) -> plan (a PlanBuilder or a plan dict) under `name`, for
    simulate(strategy=...) and plan(). Usable as a decorator: @register_strategy("mine")."""
    def register(fn):
        if not isinstance(name, str) or not name:
            raise ValueError("a strategy name must be a non-empty string")
        if name in _edgepart.strategy_names() or name == "all":
            raise ValueError(f"'{name}' is a built-in strategy name")
        if not callable(fn):
            raise TypeError(f"strategy '{name}': {fn!r} is not callable")
        _python_strategies[name] = fn
        return fn
    return register if function is None else register(function)


def unregister_strategy(name):
    _python_strategies.pop(name, None)


def _sets(sets):
    """--set overrides: a list of "/ptr=value" texts, one such text, or a dict {"/ptr": value}."""
    if sets is None:
        return []
    if isinstance(sets, str):
        return [sets]
    if isinstance(sets, dict):
        return [f"{ptr}={_json.dumps(value)}" for ptr, value in sets.items()]
    return [str(s) for s in sets]


class _Scenario:
    """A loaded scenario: the native session plus the model and cluster a Python strategy sees."""

    def __init__(self, scenario, sets):
        if isinstance(scenario, dict):
            # Relative paths in the dict (model, traces) are relative to the working directory.
            self.native = _edgepart.Session(_json.dumps(scenario), "<scenario dict>", _sets(sets))
        elif isinstance(scenario, (str, _os.PathLike)):
            self.native = _edgepart.Session(_os.fspath(scenario), _sets(sets))
        else:
            raise TypeError(f"a scenario is a file path or a dict, not {type(scenario).__name__}")
        self._model = self._cluster = None

    def model(self):
        if self._model is None:
            self._model = _json.loads(self.native.model_json())
        return self._model

    def cluster(self):
        if self._cluster is None:
            self._cluster = _json.loads(self.native.cluster_json())
        return self._cluster

    def python_plan(self, name):
        """The plan of Python strategy `name`, validated as a plan file is, then predicted."""
        doc = _plan_document(name, self.model(), self.cluster())
        return self.native.external_plan(_json.dumps(doc), _edgepart.strategy_origin(name))

    def plans(self, strategy=None, plan=None):
        """Plan JSON texts: `plan` (a file path or a plan dict), or each strategy of `strategy`
        (None: the scenario's; a name; "all"; or a list of names, Python strategies included)."""
        if plan is not None:
            if strategy is not None:
                raise InputError("--plan: give either plan or strategy, not both")
            if isinstance(plan, dict):
                return [self.native.external_plan(_json.dumps(plan), "<plan dict>")]
            return list(self.native.plans("", _os.fspath(plan)))
        names = [strategy] if strategy is None or isinstance(strategy, str) else list(strategy)
        texts = []
        for name in names:
            if name in _python_strategies:
                texts.append(self.python_plan(name))
            else:
                texts.extend(self.native.plans(name or "", ""))
        return texts


def _plan_document(name, model, cluster):
    """Python strategy `name`'s plan for this model and cluster as a plan dict, the scenario's
    defaults filled in; not yet validated (the engine does that: pipeline/external.hpp)."""
    made = _python_strategies[name](model, cluster)
    if isinstance(made, PlanBuilder):
        made = made.to_dict()
    if not isinstance(made, dict):
        raise InputError(f"{_edgepart.strategy_origin(name)}: /: must return a PlanBuilder or a plan dict "
                         f"(got {type(made).__name__})")
    doc = dict(made)
    doc["strategy"] = name  # reports name a plan by the strategy that made it
    doc.setdefault("format", "edgepart.plan")
    doc.setdefault("version", 1)
    doc.setdefault("model", {"name": cluster["model_name"], "hash": cluster["model_hash"]})
    doc.setdefault("devices", [d["name"] for d in cluster["devices"]])
    doc.setdefault("source", cluster["source"])
    for key, default in (("options", {}), ("notes", []), ("lossless", True), ("rate_peer", -1)):
        doc.setdefault(key, default)
    return doc


def _plan_text(name, model_json, cluster_json):
    """_plan_document from and to JSON text: what a sweep point (python/src/python_planner.hpp) calls."""
    return _json.dumps(_plan_document(name, _json.loads(model_json), _json.loads(cluster_json)))


def _register_spec(spec):
    """For the CLI's --python-strategy MODULE:FUNCTION: imports the function and registers it under
    its name (unless registered already, maybe under another name); returns the name."""
    import importlib
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise InputError(f"--python-strategy: expected MODULE:FUNCTION (got '{spec}')")
    function = getattr(importlib.import_module(module_name), function_name)
    name = next((n for n, f in _python_strategies.items() if f is function), function_name)
    if name not in _python_strategies:
        register_strategy(name, function)
    return name


def _python_plan_json(scenario_file, sets, spec):
    """For the CLI's simulate --python-strategy: (name, the plan JSON text of spec's function)."""
    name = _register_spec(spec)
    return name, _Scenario(scenario_file, sets).python_plan(name)


def plan(scenario, strategy=None, sets=None):
    """One strategy's plan (the scenario's when None; built-in or Python) as the plan JSON dict of
    `edgepart plan --format json`."""
    if strategy == "all" or not (strategy is None or isinstance(strategy, str)):
        raise ValueError("plan() makes one strategy's plan; simulate() takes several")
    return _json.loads(_Scenario(scenario, sets).plans(strategy)[0])


def simulate(scenario, strategy=None, plan=None, requests=None, seed=None, sets=None):
    """`edgepart simulate --format json` as a dict (a Report: .to_pandas() gives one row per
    strategy). strategy: None (the scenario's), a name, "all", or a list of names, Python
    strategies included; plan: a plan file or dict instead. The GIL is released while simulating."""
    s = _Scenario(scenario, sets)
    texts = s.plans(strategy, plan)
    return Report(_json.loads(s.native.simulate(texts, seed, -1 if requests is None else int(requests))))


def sweep(scenario, axes=None, strategy=None, seeds=1, seed=None, requests=None, jobs=1):
    """`edgepart sweep --format jsonl` as a list of row dicts (Rows: .to_pandas() with readable
    column names). axes: {"/ptr": "a:b:step" | [v1, v2, ...]} or a list of "/ptr=spec" texts; the
    first axis varies slowest. strategy: None (the scenario's), a name, "all", or a list of names,
    Python strategies included (planned one at a time under the GIL, simulated in parallel)."""
    if not isinstance(scenario, (str, _os.PathLike)):
        raise TypeError("sweep() reads a scenario file")
    specs = []
    if isinstance(axes, dict):
        for ptr, values in axes.items():
            if isinstance(values, str):
                specs.append(f"{ptr}={values}")
            else:
                specs.append(f"{ptr}=" + ",".join(_json.dumps(v) for v in values))
    elif axes is not None:
        specs = [str(a) for a in ([axes] if isinstance(axes, str) else axes)]
    names = [] if strategy is None else ([strategy] if isinstance(strategy, str) else list(strategy))
    python_names = [name for name in names if name in _python_strategies]
    text = _edgepart.sweep_rows(_os.fspath(scenario), specs, names, python_names, int(seeds), seed,
                                -1 if requests is None else int(requests), int(jobs))
    return Rows(_json.loads(line) for line in text.splitlines() if line)
