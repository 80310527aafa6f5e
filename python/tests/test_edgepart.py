"""The Python package against the CLI it must agree with (run by ctest as python.pytest, from the
repository root, with PYTHONPATH=build/python and EDGEPART_BIN=the CLI)."""
import json
import os
import subprocess

import pytest

import edgepart

SCENARIO = "scenarios/default.json"
CLI = os.environ.get("EDGEPART_BIN", "build/edgepart")


def cli(*args):
    """The CLI's exit code, stdout and stderr."""
    done = subprocess.run([CLI, *args], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def cli_json(*args):
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out)


# ---- a Python strategy that reproduces the built-in `local` (local_strategy.py) ----

from local_strategy import python_local  # noqa: E402  (next to this file)


@pytest.fixture(autouse=True)
def strategies():
    edgepart.register_strategy("py_local", python_local)
    yield
    for name in ("py_local", "bad_deps", "bad_type", "other_model", "recording", "failing"):
        edgepart.unregister_strategy(name)


def without_name(entry):
    return {k: v for k, v in entry.items() if k != "strategy"}


def test_python_local_plan_equals_builtin_local_plan():
    mine, builtin = edgepart.plan(SCENARIO, "py_local"), edgepart.plan(SCENARIO, "local")
    assert mine["strategy"] == "py_local"
    assert without_name(mine) == without_name(builtin)


def test_python_local_report_equals_builtin_local_report():
    rep = edgepart.simulate(SCENARIO, strategy=["local", "py_local"], requests=40, seed=3)
    local, mine = rep["strategies"]
    assert (local["strategy"], mine["strategy"]) == ("local", "py_local")
    assert without_name(mine) == without_name(local)
    # and the built-in one is the CLI's
    assert local == cli_json("simulate", SCENARIO, "--strategy", "local", "--requests", "40", "--seed", "3",
                             "--format", "json")["strategies"][0]


def test_python_strategy_runs_beside_builtins_with_speedup_over_local():
    rep = edgepart.simulate(SCENARIO, strategy=["dpfp", "py_local"], requests=20)
    assert [s["strategy"] for s in rep["strategies"]] == ["dpfp", "py_local"]
    # the local baseline is simulated on the side; the Python copy of local has speedup 1
    assert rep["strategies"][1]["speedup"] == 1.0
    assert rep["strategies"][0]["speedup"] > 1.0


# ---- invalid plans from Python ----

def test_invalid_python_plan_is_a_clear_input_error():
    def bad_deps(model, cluster):
        plan = python_local(model, cluster).to_dict()
        plan["variants"][0]["tasks"][0]["deps"] = [5]
        return plan
    edgepart.register_strategy("bad_deps", bad_deps)
    with pytest.raises(edgepart.InputError) as e:
        edgepart.simulate(SCENARIO, strategy="bad_deps", requests=5)
    assert str(e.value) == ("python strategy 'bad_deps': /variants/0/tasks/0/deps: "
                            "a dependency must be an earlier task (got 5)")


def test_python_strategy_returning_no_plan():
    edgepart.register_strategy("bad_type", lambda model, cluster: 42)
    with pytest.raises(edgepart.InputError, match=r"^python strategy 'bad_type': /: must return a PlanBuilder or a "
                                                  r"plan dict \(got int\)$"):
        edgepart.plan(SCENARIO, "bad_type")


def test_python_plan_for_another_model_is_refused():
    def other_model(model, cluster):
        plan = python_local(model, cluster).to_dict()
        plan["model"]["hash"] = "fnv1a64:0000000000000000"
        return plan
    edgepart.register_strategy("other_model", other_model)
    with pytest.raises(edgepart.InputError, match=r"^python strategy 'other_model': /model/hash: the plan was made for"):
        edgepart.simulate(SCENARIO, strategy="other_model")


def test_builtin_names_cannot_be_taken():
    with pytest.raises(ValueError):
        edgepart.register_strategy("dpfp", python_local)


# ---- the same JSON as the CLI ----

def test_simulate_all_equals_cli_json():
    args = ["--requests", "30", "--seed", "7"]
    expected = cli_json("simulate", SCENARIO, "--strategy", "all", *args, "--format", "json")
    assert edgepart.simulate(SCENARIO, strategy="all", requests=30, seed=7) == expected


def test_simulate_with_overrides_equals_cli_json():
    expected = cli_json("simulate", SCENARIO, "--strategy", "modnn", "--requests", "25", "--set",
                        "/network/bandwidth_mbps=20", "--format", "json")
    assert edgepart.simulate(SCENARIO, strategy="modnn", requests=25, sets=["/network/bandwidth_mbps=20"]) == expected
    assert edgepart.simulate(SCENARIO, strategy="modnn", requests=25, sets={"/network/bandwidth_mbps": 20}) == expected


def test_scenario_dict_equals_scenario_file():
    with open(SCENARIO) as f:  # the scenario reader allows // comment lines; json does not
        doc = json.loads("".join(line for line in f if not line.lstrip().startswith("//")))
    doc["model"] = os.path.normpath(os.path.join(os.path.dirname(SCENARIO), doc["model"]))
    assert edgepart.simulate(doc, strategy="dpfp", requests=10) == edgepart.simulate(SCENARIO, strategy="dpfp",
                                                                                      requests=10)


def test_plan_equals_cli_plan():
    assert edgepart.plan(SCENARIO, "dpfp") == cli_json("plan", SCENARIO, "--strategy", "dpfp", "--format", "json")


def test_sweep_equals_cli_jsonl():
    code, out, err = cli("sweep", SCENARIO, "--set", "/network/bandwidth_mbps=10,50", "--strategy", "dpfp,local",
                         "--requests", "10", "--format", "jsonl")
    assert code == 0, err
    expected = [json.loads(line) for line in out.splitlines()]
    rows = edgepart.sweep(SCENARIO, {"/network/bandwidth_mbps": [10, 50]}, strategy=["dpfp", "local"], requests=10,
                          jobs=2)
    assert rows == expected
    assert len(rows) == 4


# ---- Python strategies in sweep ----

BANDWIDTHS = {"/network/bandwidth_mbps": [5, 20, 80]}


def test_python_local_sweep_rows_equal_builtin_local_rows():
    rows = edgepart.sweep(SCENARIO, BANDWIDTHS, strategy=["local", "dpfp", "py_local"], seeds=2, requests=20, jobs=2)
    assert [r["strategy"] for r in rows[:6]] == ["local"] * 2 + ["dpfp"] * 2 + ["py_local"] * 2
    local = [without_name(r) for r in rows if r["strategy"] == "local"]
    mine = [without_name(r) for r in rows if r["strategy"] == "py_local"]
    assert len(mine) == 6 and mine == local
    # the built-in rows are those of a sweep without the Python strategy
    builtin = edgepart.sweep(SCENARIO, BANDWIDTHS, strategy=["local", "dpfp"], seeds=2, requests=20)
    assert [r for r in rows if r["strategy"] != "py_local"] == builtin


def test_python_strategy_sweep_rows_do_not_depend_on_jobs():
    one = edgepart.sweep(SCENARIO, {"/network/bandwidth_mbps": "1:30:1"}, strategy=["py_local", "dpfp"], requests=5)
    two = edgepart.sweep(SCENARIO, {"/network/bandwidth_mbps": "1:30:1"}, strategy=["py_local", "dpfp"], requests=5,
                         jobs=2)
    assert one == two and len(one) == 60


def test_python_strategy_sees_each_point():
    seen = []

    def recording_local(model, cluster):
        seen.append(cluster["rate_mbps"][0][1])
        return python_local(model, cluster)
    edgepart.register_strategy("recording", recording_local)
    edgepart.sweep(SCENARIO, BANDWIDTHS, strategy="recording", requests=5, jobs=2)
    # the planning rate of link 0->1 at each point is the swept bandwidth (goodput factor 1)
    assert sorted(seen) == [5, 20, 80]


def test_invalid_python_plan_in_sweep_names_the_point():
    def bad_deps(model, cluster):
        plan = python_local(model, cluster).to_dict()
        if cluster["rate_mbps"][0][1] > 10:
            plan["variants"][0]["tasks"][0]["deps"] = [5]
        return plan
    edgepart.register_strategy("bad_deps", bad_deps)
    with pytest.raises(edgepart.InputError) as e:
        edgepart.sweep(SCENARIO, BANDWIDTHS, strategy=["dpfp", "bad_deps"], requests=5)
    assert str(e.value) == ("python strategy 'bad_deps': /variants/0/tasks/0/deps: a dependency must be an earlier "
                            "task (got 5) (at sweep point 1: /network/bandwidth_mbps=20)")


def test_python_exception_in_sweep_keeps_its_type():
    def failing(model, cluster):
        raise ZeroDivisionError("my bug")
    edgepart.register_strategy("failing", failing)
    with pytest.raises(ZeroDivisionError, match="my bug"):
        edgepart.sweep(SCENARIO, BANDWIDTHS, strategy="failing", requests=5, jobs=2)


def test_errors_carry_the_cli_message():
    code, _, err = cli("simulate", SCENARIO, "--set", "/network/bandwidth_mbs=20", "--format", "json")
    assert code == 2
    with pytest.raises(edgepart.InputError) as e:
        edgepart.simulate(SCENARIO, sets=["/network/bandwidth_mbs=20"])
    assert err == f"edgepart: error: {e.value}\n"
    code, _, err = cli("simulate", SCENARIO, "--strategy", "dpf", "--format", "json")
    with pytest.raises(edgepart.InputError) as e:
        edgepart.simulate(SCENARIO, strategy="dpf")
    assert err == f"edgepart: error: {e.value}\n"


def test_load_model_per_layer_records():
    model = edgepart.load_model("models/vgg16.json")
    assert model == cli_json("inspect", "models/vgg16.json", "--format", "json")
    # the totals are the sums of the layer records
    assert sum(l["flops"] for l in model["layers"]) == model["totals"]["flops"]
    assert sum(l["params"] for l in model["layers"]) == model["totals"]["params"]
    # the first conv of VGG-16: 3x3x3 weights x 64 + 64 biases
    assert model["layers"][0]["params"] == 3 * 3 * 3 * 64 + 64


def test_to_pandas_readable_columns():
    pandas = pytest.importorskip("pandas")
    rows = edgepart.sweep(SCENARIO, ["/network/bandwidth_mbps=10,20"], strategy="dpfp", requests=5)
    frame = rows.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["network.bandwidth_mbps"]) == [10, 20]
    assert list(frame["latency_mean_s"]) == [r["latency_mean_s"] for r in rows]
    report = edgepart.simulate(SCENARIO, strategy=["local", "dpfp"], requests=5)
    table = report.to_pandas()
    assert list(table["strategy"]) == ["local", "dpfp"]
    assert list(table["latency_mean_s"]) == [s["latency_s"]["mean"] for s in report["strategies"]]


def test_readable_column_names():
    from edgepart.tables import readable_column
    assert readable_column("/network/links/0/bandwidth_mbps") == "network.links.0.bandwidth_mbps"
    assert readable_column("/a~1b/c~0d") == "a/b.c~d"
    assert readable_column("latency_mean_s") == "latency_mean_s"


# ---- the CLI's --python-strategy ----

STRATEGY_MODULE = '''
import edgepart

def python_local(model, cluster):
    b = edgepart.PlanBuilder(model, cluster, options={"device": cluster["devices"][cluster["source"]]["name"]})
    src, last = cluster["source"], len(model["layers"]) - 1
    stage = b.whole_stage(src, 0, last)
    b.compute(src, stage, [], name="model/" + cluster["devices"][src]["name"],
              activation_bytes=b.peak_activation_bytes(0, last), weight_bytes=b.weight_bytes(0, last))
    return b

def broken(model, cluster):
    plan = python_local(model, cluster).to_dict()
    plan["variants"][0]["tasks"][0]["deps"] = [3]
    return plan
'''


def cli_with_module(tmp_path, *args):
    (tmp_path / "my_strategies.py").write_text(STRATEGY_MODULE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    return done.returncode, done.stdout, done.stderr


def test_cli_python_strategy_equals_python_simulate(tmp_path):
    code, out, err = cli_with_module(tmp_path, "simulate", SCENARIO, "--strategy", "local", "--python-strategy",
                                     "my_strategies:python_local", "--requests", "15", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [s["strategy"] for s in report["strategies"]] == ["local", "python_local"]
    local, mine = report["strategies"]
    assert without_name(mine) == without_name(local)
    edgepart.register_strategy("py_local_cli", python_local)
    try:
        from_python = edgepart.simulate(SCENARIO, strategy=["local", "py_local_cli"], requests=15)
    finally:
        edgepart.unregister_strategy("py_local_cli")
    assert without_name(from_python["strategies"][1]) == without_name(mine)


def test_cli_python_strategy_invalid_plan_exit_2(tmp_path):
    code, out, err = cli_with_module(tmp_path, "simulate", SCENARIO, "--python-strategy", "my_strategies:broken",
                                     "--format", "json")
    assert code == 2
    assert err == ("edgepart: error: python strategy 'broken': /variants/0/tasks/0/deps: "
                   "a dependency must be an earlier task (got 3)\n")
    code, out, err = cli_with_module(tmp_path, "simulate", SCENARIO, "--python-strategy", "my_strategies:nothing")
    assert code == 2
    assert err.startswith("edgepart: error: --python-strategy: my_strategies:nothing: AttributeError: ")


def test_cli_sweep_python_local_rows_equal_builtin_local_rows(tmp_path):
    args = ["sweep", SCENARIO, "--set", "/network/bandwidth_mbps=5,20,80", "--strategy", "local,dpfp",
            "--requests", "20", "--seeds", "2", "-j", "2", "--format", "jsonl"]
    code, out, err = cli_with_module(tmp_path, *args, "--python-strategy", "my_strategies:python_local")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["strategy"] for r in rows[:6]] == ["local"] * 2 + ["dpfp"] * 2 + ["python_local"] * 2
    local = [without_name(r) for r in rows if r["strategy"] == "local"]
    mine = [without_name(r) for r in rows if r["strategy"] == "python_local"]
    assert len(mine) == 6 and mine == local
    # the built-in rows are the CLI's without --python-strategy, and Python's sweep() gives the same rows
    assert [r for r in rows if r["strategy"] != "python_local"] == [json.loads(line) for line in cli(*args)[1].splitlines()]
    edgepart.register_strategy("python_local", python_local)
    try:
        from_python = edgepart.sweep(SCENARIO, {"/network/bandwidth_mbps": [5, 20, 80]},
                                     strategy=["local", "dpfp", "python_local"], seeds=2, requests=20)
    finally:
        edgepart.unregister_strategy("python_local")
    assert from_python == rows


def test_cli_sweep_python_strategy_alone_and_invalid(tmp_path):
    code, out, err = cli_with_module(tmp_path, "sweep", SCENARIO, "--set", "/network/bandwidth_mbps=5,20",
                                     "--python-strategy", "my_strategies:python_local", "--requests", "5")
    assert code == 0, err
    assert [line.split(",")[1] for line in out.splitlines()[1:]] == ["python_local", "python_local"]
    code, out, err = cli_with_module(tmp_path, "sweep", SCENARIO, "--set", "/network/bandwidth_mbps=5,20",
                                     "--python-strategy", "my_strategies:broken", "--requests", "5")
    assert code == 2
    assert err == ("edgepart: error: python strategy 'broken': /variants/0/tasks/0/deps: a dependency must be an "
                   "earlier task (got 3) (at sweep point 0: /network/bandwidth_mbps=5)\n")


# ---- region() ----

def conv_chain_model(tmp_path):
    """Three 3x3 convolutions, stride 1, padding 1, on an 8x8 map; then a 3x3 stride-2 one (4x4)."""
    conv = {"op": "conv2d", "kernel": 3, "out_channels": 4, "padding": 1}
    doc = {"format": "edgepart.model", "version": 1, "name": "chain", "input": [2, 8, 8],
           "layers": [dict(conv, name="c1"), dict(conv, name="c2"), dict(conv, name="c3"),
                      dict(conv, name="down", stride=2)]}
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(doc))
    return path


def span(a, b):
    return {"rows": [a, b], "cols": [0, 7]}


def test_region_of_a_conv_chain_by_hand(tmp_path):
    path = conv_chain_model(tmp_path)
    # A 3x3 window with padding 1 needs rows r-1..r+1 of its input: one more row each side per
    # layer back, clipped to 0..7 (rows outside are padding).
    r = edgepart.region(path, "c3", rows=4)
    assert [(l["name"], l["input"], l["output"]) for l in r["layers"]] == [
        ("c1", span(1, 7), span(2, 6)), ("c2", span(2, 6), span(3, 5)), ("c3", span(3, 5), span(4, 4))]
    assert (r["input_tensor"], r["input"], r["requested"]) == ("input", span(1, 7), span(4, 4))
    top = edgepart.region(path, "c3", rows=(0, 0))
    assert [l["input"] for l in top["layers"]] == [span(0, 3), span(0, 2), span(0, 1)]
    # from c2: c1's output is the block's input; column 2 of c3 needs columns 1..3 of c2's
    # output, so 0..4 of c1's; rows 6..7 need 5..7 (8 is padding), then 4..7
    mid = edgepart.region(path, "c3", rows="6:7", cols="2:2", from_layer="c2")
    assert (mid["input_tensor"], mid["input"]) == ("c1", {"rows": [4, 7], "cols": [0, 4]})
    assert [l["name"] for l in mid["layers"]] == ["c2", "c3"]
    # stride 2: output row r needs rows 2r-1..2r+1; by index: layer 3 is "down"
    down = edgepart.region(path, 3, rows=(1, 2), from_layer="down")
    assert down["input"] == {"rows": [1, 5], "cols": [0, 7]}
    # MACs of c3's row 4: 1 row x 8 columns x 4 output channels, each a 3x3 window over 4 channels
    assert r["layers"][2]["macs"] == 1 * 8 * 4 * (3 * 3 * 4)


def test_region_equals_cli_json_and_errors(tmp_path):
    path = conv_chain_model(tmp_path)
    expected = cli_json("region", str(path), "--to", "c3", "--rows", "2:5", "--cols", "1:3", "--from", "c2",
                        "--format", "json")
    assert edgepart.region(path, "c3", rows=(2, 5), cols=(1, 3), from_layer="c2") == expected
    assert edgepart.region("models/vgg16.json", "features.30", rows="0:1") == cli_json(
        "region", "models/vgg16.json", "--to", "features.30", "--rows", "0:1", "--format", "json")
    code, _, err = cli("region", str(path), "--to", "c4", "--rows", "0:1")
    assert code == 2
    with pytest.raises(edgepart.InputError) as e:
        edgepart.region(path, "c4", rows=(0, 1))
    assert err == f"edgepart: error: {e.value}\n" and "did you mean 'c1'" in str(e.value)
    with pytest.raises(edgepart.InputError, match=r"--rows: rows of .* must lie in 0:7 \(got '0:8'\)"):
        edgepart.region(path, "c3", rows=(0, 8))
