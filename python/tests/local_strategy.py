"""A Python strategy that reproduces the built-in `local` (used by test_edgepart.py and by
tests/unit/cli/python_sweep_cli_test.cpp through `--python-strategy local_strategy:python_local`)."""
import edgepart


def python_local(model, cluster):
    """The whole model on the source, built as src/strategy/local.cpp builds it."""
    b = edgepart.PlanBuilder(model, cluster, options={"device": cluster["devices"][cluster["source"]]["name"]})
    src, last = cluster["source"], len(model["layers"]) - 1
    stage = b.whole_stage(src, 0, last)
    name = cluster["devices"][src]["name"]
    deps = b.transfer(src, src, b.tensor_bytes(-1), b.whole_piece(-1), name=f"input/{name}->{name}", stage=stage)
    c = b.compute(src, stage, deps, name=f"model/{name}", activation_bytes=b.peak_activation_bytes(0, last),
                  weight_bytes=b.weight_bytes(0, last))
    b.transfer(src, src, b.tensor_bytes(last), b.whole_piece(last), [c], name=f"result/{name}->{name}", stage=stage)
    return b
