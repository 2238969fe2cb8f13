"""Turning rounds of load-generator results into medians, min-max, ratios, a table and a chart."""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

Better = Literal["higher", "lower", "info"]


@dataclass(frozen=True)
class Metric:
    key: str
    path: tuple[str, ...]
    label: str
    unit: str
    better: Better
    #: The issue's target for ratio = B / A (None: no target).
    target: float | None = None


METRICS: Final[tuple[Metric, ...]] = (
    Metric("fanout_deliveries_per_s", ("fanout", "deliveries_per_s"), "fan-out deliveries/s", "/s", "higher", 1.0),
    Metric("fanout_p50_ms", ("fanout", "latency", "p50_ms"), "fan-out latency p50", "ms", "lower"),
    Metric("fanout_p99_ms", ("fanout", "latency", "p99_ms"), "fan-out latency p99", "ms", "lower"),
    Metric(
        "fanout_server_us_per_delivery",
        ("fanout", "server_cpu_us_per_delivery"),
        "server CPU per delivery",
        "µs",
        "lower",
    ),
    Metric("fanout_server_cpu_util", ("fanout", "cpu", "server_cpu_util"), "fan-out: server CPU use", "cores", "info"),
    Metric(
        "fanout_loadgen_cpu_util", ("fanout", "cpu", "loadgen_cpu_util"), "fan-out: loadgen CPU use", "cores", "info"
    ),
    Metric(
        "fanout_other_cpu_util",
        ("fanout", "cpu", "other_cpu_util"),
        "fan-out: other processes' CPU (noise)",
        "cores",
        "info",
    ),
    Metric("single_p50_ms", ("latency", "delivery", "p50_ms"), "single broadcast latency p50", "ms", "lower"),
    Metric("single_p99_ms", ("latency", "delivery", "p99_ms"), "single broadcast latency p99", "ms", "lower"),
    Metric(
        "direct_max_per_s",
        ("direct", "max_sustained_per_s"),
        "direct notifications/s at p99 < 100 ms",
        "/s",
        "higher",
        1.0,
    ),
    Metric(
        "direct_server_us_per_notification",
        ("direct", "server_cpu_us_per_notification"),
        "server CPU per direct notification",
        "µs",
        "lower",
    ),
    Metric(
        "direct_noise_reruns",
        ("direct", "noise_reruns"),
        "direct: failed steps run again (other processes busy)",
        "steps",
        "info",
    ),
    Metric("idle_rss_kb_per_conn", ("idle_rss", "per_connection_kb"), "idle RSS per connection", "KB", "lower", 1.0),
    Metric(
        "presence_drain_ms",
        ("idle_rss", "settle_ms"),
        "after the connect wave, until no packet for 0.5 s",
        "ms",
        "lower",
    ),
    Metric("connect_per_s", ("connect", "per_s"), "connect + authenticate", "/s", "higher", 1.0),
    Metric(
        "connect_until_quiet_per_s",
        ("connect", "until_quiet_per_s"),
        "connect + authenticate + presence drained",
        "/s",
        "higher",
    ),
    Metric("gc_full_count", ("gc", "count"), "hub: full collections the collector ran, whole run", "", "info"),
    Metric("gc_full_longest_ms", ("gc", "longest_ms"), "hub: longest of them", "ms", "info"),
    Metric(
        "gc_freeze_longest_ms", ("gc", "freeze_longest_ms"), "hub: longest collection before a freeze", "ms", "info"
    ),
    Metric("loadgens", ("loadgens",), "load generator processes (--loadgens)", "", "info"),
    Metric("run_server_cpu_s", ("cpu", "server_cpu_s"), "server CPU, whole run", "s", "info"),
    Metric("run_loadgen_cpu_s", ("cpu", "loadgen_cpu_s"), "loadgen CPU, whole run", "s", "info"),
    Metric("run_other_cpu_util", ("cpu", "other_cpu_util"), "other processes' CPU, whole run (noise)", "cores", "info"),
)

#: The metrics drawn in the chart.
CHART_METRICS: Final = (
    "fanout_deliveries_per_s",
    "direct_max_per_s",
    "idle_rss_kb_per_conn",
    "connect_per_s",
    "fanout_server_us_per_delivery",
    "single_p99_ms",
)


def dig(result: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = result
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Stat:
    median: float
    low: float
    high: float
    runs: int

    def as_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.runs}


def stat(values: list[float]) -> Stat | None:
    if not values:
        return None
    return Stat(median=statistics.median(values), low=min(values), high=max(values), runs=len(values))


def enrich(result: dict[str, Any]) -> dict[str, Any]:
    """Add figures derived from a run's raw ones that older load-generator output lacks."""
    connect, idle = result.get("connect"), result.get("idle_rss")
    if isinstance(connect, dict) and isinstance(idle, dict) and "until_quiet_per_s" not in connect:
        quiet_ms = idle.get("settle_quiet_ms", 500)
        seconds = connect["seconds"] + max(0.0, idle["settle_ms"] - quiet_ms) / 1000
        if seconds > 0:
            connect["until_quiet_per_s"] = round(connect["connected"] / seconds, 1)
    return result


#: The pair the targets are for: the hub (B) against the seed (A). Other pairs get no verdict.
TARGET_PAIR = ("seed", "hub")


def summarize(runs: dict[str, list[dict[str, Any]]], a: str, b: str) -> dict[str, Any]:
    """Per metric: each side's median and min-max over its rounds, the ratio of medians B / A, and
    for the hub against the seed whether the target against the seed is met."""
    targeted = (a, b) == TARGET_PAIR
    for results in runs.values():
        for result in results:
            enrich(result)
    out: dict[str, Any] = {}
    for metric in METRICS:
        sa = stat([v for r in runs.get(a, []) if (v := dig(r, metric.path)) is not None])
        sb = stat([v for r in runs.get(b, []) if (v := dig(r, metric.path)) is not None])
        ratio = sb.median / sa.median if sa and sb and sa.median else None
        target = metric.target if targeted else None
        meets = _meets(metric, ratio, target)
        out[metric.key] = {
            "label": metric.label,
            "unit": metric.unit,
            "better": metric.better,
            a: sa.as_dict() if sa else None,
            b: sb.as_dict() if sb else None,
            "ratio": ratio,
            "target": target,
            "meets_target": meets,
        }
    return out


def _meets(metric: Metric, ratio: float | None, target: float | None) -> bool | None:
    if ratio is None or target is None:
        return None
    return ratio >= target if metric.better == "higher" else ratio <= target


def _target(metric: Metric, target: float | None, meets: bool | None) -> str:
    if target is None:
        return ""
    sign = "≥" if metric.better == "higher" else "≤"
    verdict = {True: "met", False: "not met", None: ""}[meets]
    return f"{sign} {target:.1f}x {verdict}".strip()


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(s: dict[str, float] | None) -> str:
    if not s:
        return "n/a"
    if s["runs"] > 1:
        return f"{_fmt(s['median'])} ({_fmt(s['min'])}-{_fmt(s['max'])})"
    return _fmt(s["median"])


def table(summary_by_n: dict[int, dict[str, Any]], a: str, b: str) -> str:
    """A Markdown table: one row per metric and N; medians with (min-max), ratio B/A, target."""
    head = f"| N | metric | {a} | {b} | ratio {b}/{a} | better | target |"
    lines = [head, "| ---: | --- | ---: | ---: | ---: | --- | --- |"]
    for n, summary in summary_by_n.items():
        for metric in METRICS:
            row = summary[metric.key]
            if row[a] is None and row[b] is None:
                continue
            ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "n/a"
            target = _target(metric, row["target"], row["meets_target"])
            lines.append(
                f"| {n:,} | {metric.label} ({metric.unit}) | {_cell(row[a])} | {_cell(row[b])} | {ratio} "
                f"| {metric.better} | {target} |"
            )
    return "\n".join(lines)


#: The servers' columns in a combined table, in this order (any other label after them).
SERVER_ORDER: Final = ("seed", "floor", "hub")


def combine(docs: list[dict[str, Any]]) -> str:
    """One table from several results documents, e.g. `--pair seed,hub` and `--pair seed,floor` run
    separately: per N and metric, each server's median (min-max) over all its runs in all of them (a
    second copy of a server, "floor#2", counts as that server), the ratio hub/seed and its target;
    then what any of them could not measure."""
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    notes: list[str] = []
    for doc in docs:
        notes.extend(doc.get("unmeasured") or [])
        for n, by_label in doc["runs"].items():
            for label, results in by_label.items():
                server = label.split("#")[0]
                runs.setdefault(int(n), {}).setdefault(server, []).extend(enrich(r) for r in results)
    found = {server for by_server in runs.values() for server in by_server}
    servers = [s for s in SERVER_ORDER if s in found] + sorted(found - set(SERVER_ORDER))
    a, b = TARGET_PAIR
    lines = [
        f"| metric | N | {' | '.join(servers)} | {b}/{a} | target |",
        "| --- | ---: |" + " ---: |" * len(servers) + " ---: | --- |",
    ]
    for metric in METRICS:
        for n in sorted(runs):
            values = {s: [v for r in runs[n].get(s, []) if (v := dig(r, metric.path)) is not None] for s in servers}
            stats = {s: stat(found_values) for s, found_values in values.items()}
            if all(value is None for value in stats.values()):
                continue
            sa, sb = stats.get(a), stats.get(b)
            ratio = sb.median / sa.median if sa and sb and sa.median else None
            target = _target(metric, metric.target, _meets(metric, ratio, metric.target)) if ratio is not None else ""
            cells = " | ".join(_cell(st.as_dict() if (st := stats[s]) else None) for s in servers)
            shown = f"{ratio:.2f}x" if ratio is not None else "n/a"
            lines.append(f"| {metric.label} ({metric.unit}) | {n:,} | {cells} | {shown} | {target} |")
    if notes:
        lines += ["", "Not measured in full:", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def chart(summary_by_n: dict[int, dict[str, Any]], a: str, b: str, path: Path, title: str) -> Path:
    """Grouped bars per N for the headline metrics, medians with min-max error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = list(summary_by_n)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    for ax, key in zip(axes.flat, CHART_METRICS, strict=True):
        metric = next(m for m in METRICS if m.key == key)
        width = 0.38
        for offset, side, colour in ((-width / 2, a, "#8c8c8c"), (width / 2, b, "#2a7ab9")):
            meds, errs_lo, errs_hi = [], [], []
            for n in ns:
                s = summary_by_n[n][key][side]
                meds.append(s["median"] if s else 0.0)
                errs_lo.append(s["median"] - s["min"] if s else 0.0)
                errs_hi.append(s["max"] - s["median"] if s else 0.0)
            xs = [i + offset for i in range(len(ns))]
            ax.bar(xs, meds, width, yerr=[errs_lo, errs_hi], capsize=3, label=side, color=colour)
        for i, n in enumerate(ns):
            ratio = summary_by_n[n][key]["ratio"]
            if ratio is not None:
                ax.annotate(f"{ratio:.2f}x", (i, 0), xytext=(0, -28), textcoords="offset points", ha="center")
        ax.set_xticks(range(len(ns)), [f"N={n:,}" for n in ns])
        ax.set_title(f"{metric.label} ({metric.unit}, {metric.better} is better)", fontsize=10)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def rerender(path: Path) -> str:
    """Summarize a results JSON again (current metrics), rewrite it and its chart; return the table."""
    doc = json.loads(path.read_text())
    a, b = doc["pair"]["A"], doc["pair"]["B"]
    runs = {int(n): by_label for n, by_label in doc["runs"].items()}
    summary = {n: summarize(by_label, a, b) for n, by_label in runs.items()}
    text = table(summary, a, b)
    doc["summary"] = {str(n): s for n, s in summary.items()}
    doc["table"] = text
    path.write_text(json.dumps(doc, indent=1))
    chart(summary, a, b, path.with_suffix(".png"), f"lan-notify bench: {b} / {a}, {doc['pinning']}")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description="re-summarize bench results JSON")
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument(
        "--combine",
        action="store_true",
        help="print one table of every server in FILES (seed, floor, hub columns; runs of a server in"
        " several files pooled), e.g. a --pair seed,hub run and a --pair seed,floor run; rewrites nothing",
    )
    args = parser.parse_args(argv)
    if args.combine:
        print(combine([json.loads(path.read_text()) for path in args.files]))
        return 0
    for path in args.files:
        print(f"{path}:\n{rerender(path)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
