"""Reports and sweep rows as the plain dicts and lists of the CLI's JSON, with to_pandas()."""
import json as _json

from . import _edgepart


def readable_column(name):
    """A sweep column named by a JSON pointer as a readable name: "/network/bandwidth_mbps" ->
    "network.bandwidth_mbps" (RFC 6901 escapes ~1 and ~0 undone); other names unchanged."""
    if not name.startswith("/"):
        return name
    return ".".join(t.replace("~1", "/").replace("~0", "~") for t in name[1:].split("/"))


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pandas is optional: Debian's python3-pandas
        raise ImportError("to_pandas() needs pandas (apt-get install python3-pandas)") from e
    return pandas


class Report(dict):
    """`edgepart simulate --format json` as a dict."""

    def rows(self):
        """One dict per strategy: "strategy", then the sweep's flat metric columns (latency_mean_s,
        latency_p95_s, speedup, reliability, reliability_ci_low, ...)."""
        out = []
        for entry in self.get("strategies", []):
            row = {"strategy": entry["strategy"]}
            for name, value in _edgepart.flatten_metrics(_json.dumps(entry)):
                row[name] = _json.loads(value)
            out.append(row)
        return out

    def to_pandas(self):
        """A DataFrame with one row per strategy (rows())."""
        return _pandas().DataFrame(self.rows())


class Rows(list):
    """`edgepart sweep --format jsonl` as a list of row dicts, in point order."""

    def to_pandas(self):
        """A DataFrame; swept pointers become readable columns ("network.bandwidth_mbps")."""
        frame = _pandas().DataFrame(list(self))
        return frame.rename(columns={c: readable_column(c) for c in frame.columns})
