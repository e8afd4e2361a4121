"""Benchmark: the scoring engine against the pyarrow read floor and a naive pandas + scikit-learn scorer.

    python bench/score_engine.py                 # 10k, 100k, 1M and 10M rows
    python bench/score_engine.py --sizes 1M      # one size
    python bench/score_engine.py --sizes 100k,1M --repeat 9
    python bench/score_engine.py --sizes 1M --ids file-names   # ids like img_0000001.png
    python bench/score_engine.py --metrics all   # every metric of the registry, 1M rows (300k x 10 matrices)
    python bench/score_engine.py --metrics roc_auc,roc_auc_ovr --rows 100000 --repeat 3
    python bench/score_engine.py --insight       # scoring with and without the insight, 1M rows, side by side

Data (Kaggle's digit-recognizer layout: ImageId,Label with 10 classes, a 30 % Public part) is generated
once into bench/.data/. For each size, the pyarrow floor, the engine (submission in solution order and
shuffled) and the naive scorer run round-robin, after a warm-up, and the median of each is reported. The
engine's solution is loaded once and cached, as in a worker; its load is timed separately. Peak memory of
one scoring of the shuffled file is measured in a fresh process.

With --metrics, each metric is scored on a data set in the layout it reads (bench/metric_cases.py), beside
the pyarrow read of the same file and the naive pandas + scikit-learn scorer, round robin, and its peak
memory is measured the same way, in a fresh process per metric. Beside the wall times, the medians of the
process's CPU time (all threads) of the floor and the engine: on a shared machine the load moves them far
less than the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sklearn
from sklearn.metrics import accuracy_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import metric_cases  # noqa: E402

from workers.scoring import METRICS, ScoringSpec, SubmissionFormat, load_solution, score_file  # noqa: E402
from workers.scoring.solution import file_sha256  # noqa: E402

DATA = ROOT / "bench" / ".data"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
SPEC = ScoringSpec(
    metric="accuracy",
    formats=(SubmissionFormat("ImageId", "Label"),),
    solution_id_column="ImageId",
    solution_target_column="Label",
    allowed_labels=tuple(str(digit) for digit in range(10)),
    max_upload_bytes=512 * 1024 * 1024,
)


def write_csv(path: Path, header: str, columns: dict[str, pa.Array]) -> None:
    with open(path, "wb") as handle:
        handle.write(header.encode() + b"\n")
        pa_csv.write_csv(
            pa.table(columns), handle, pa_csv.WriteOptions(include_header=False, quoting_style="none")
        )


def generate(rows: int, id_style: str = "numbers") -> dict[str, Path]:
    """Solution plus two submissions (solution order, shuffled) of an 80 %-accurate model, made once."""
    directory = DATA / (f"digits-{rows}" if id_style == "numbers" else f"digits-{rows}-{id_style}")
    paths = {name: directory / f"{name}.csv" for name in ("solution", "in_order", "shuffled")}
    if all(path.exists() for path in paths.values()):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows)
    ids = pa.array(np.arange(1, rows + 1))
    if id_style == "file-names":
        ids = pa.array([f"img_{number:07d}.png" for number in range(1, rows + 1)])
    labels = rng.integers(0, 10, rows).astype(np.int8)
    usage = np.where(rng.random(rows) < 0.3, "Public", "Private")
    predicted = np.where(rng.random(rows) < 0.8, labels, rng.integers(0, 10, rows)).astype(np.int8)
    write_csv(paths["solution"], "ImageId,Label,Usage", {"ImageId": ids, "Label": labels, "Usage": usage})
    write_csv(paths["in_order"], "ImageId,Label", {"ImageId": ids, "Label": predicted})
    order = rng.permutation(rows)
    write_csv(paths["shuffled"], "ImageId,Label", {"ImageId": ids.take(order), "Label": predicted[order]})
    return paths


def naive_score(solution_path: Path, submission_path: Path) -> tuple[float, float]:
    """What a host's scoring script usually is."""
    solution = pd.read_csv(solution_path)
    submission = pd.read_csv(submission_path)
    merged = solution.merge(submission, on="ImageId", suffixes=("_true", "_pred"))
    public = merged[merged["Usage"] == "Public"]
    private = merged[merged["Usage"] == "Private"]
    return (
        accuracy_score(public["Label_true"], public["Label_pred"]),
        accuracy_score(private["Label_true"], private["Label_pred"]),
    )


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def timed_with_cpu(function) -> tuple[float, float]:
    """Wall time and this process's CPU time (every thread's), which the load of other processes moves less."""
    start, cpu_start = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - start, time.process_time() - cpu_start


def measure(rows: int, repeat: int, id_style: str) -> dict[str, float]:
    paths = generate(rows, id_style)
    load_seconds = timed(lambda: load_solution(paths["solution"], SPEC))
    digest = file_sha256(paths["solution"])
    cached_seconds = timed(lambda: load_solution(paths["solution"], SPEC, sha256=digest))
    solution = load_solution(paths["solution"], SPEC, sha256=digest)
    engine_result = score_file(paths["shuffled"], solution, SPEC)
    naive_result = naive_score(paths["solution"], paths["shuffled"])
    assert np.isclose(engine_result.public_score, naive_result[0]), (engine_result, naive_result)
    assert np.isclose(engine_result.private_score, naive_result[1]), (engine_result, naive_result)
    runs = {
        "floor": lambda: pa_csv.read_csv(paths["shuffled"]),
        "engine_in_order": lambda: score_file(paths["in_order"], solution, SPEC),
        "engine_shuffled": lambda: score_file(paths["shuffled"], solution, SPEC),
        "naive": lambda: naive_score(paths["solution"], paths["shuffled"]),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():  # warm-up: page cache, imports, thread pools
        run()
    # Round-robin, so a burst of load from another process touches every contender alike.
    naive_repeat = max(3, repeat // 2) if rows >= 10_000_000 else repeat
    for round_number in range(repeat):
        for name, run in runs.items():
            if name == "naive" and round_number >= naive_repeat:
                continue
            times[name].append(timed(run))
    result = {name: statistics.median(values) for name, values in times.items()}
    result.update(
        rows=rows,
        megabytes=paths["shuffled"].stat().st_size / 1e6,
        load=load_seconds,
        cached_load=cached_seconds,
    )
    return result


# Run in a fresh process: the peak resident memory added by one scoring, after the solution is loaded.
_PEAK_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from workers.scoring import load_solution, score_file

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

{load}
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")  # reset the peak (VmHWM) to the current resident size
before = status("VmRSS:")
score_file({submission}, solution, {spec})
print(json.dumps({{"peak": status("VmHWM:") - before, "file": {submission}.stat().st_size}}))
"""


def _peak_in_fresh_process(*, load: str, submission: str, spec: str) -> dict[str, float]:
    """`load` sets `solution` (and what `submission` and `spec`, Python expressions, name)."""
    code = _PEAK_PROBE.format(
        root=str(ROOT), bench=str(ROOT / "bench"), load=load, submission=submission, spec=spec
    )
    # Arrow on the system allocator and a fixed mmap threshold: freed blocks go back to the kernel, so the
    # resident peak is the live peak and not what an allocator kept from loading the solution.
    environment = dict(os.environ, ARROW_DEFAULT_MEMORY_POOL="system", MALLOC_MMAP_THRESHOLD_="131072")
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def peak_memory(rows: int, id_style: str) -> dict[str, float]:
    """Peak resident memory added by scoring the shuffled file once, in a fresh process."""
    load = (
        "from score_engine import SPEC, generate\n"
        f"paths = generate({rows}, {id_style!r})\n"
        'solution = load_solution(paths["solution"], SPEC)'
    )
    return _peak_in_fresh_process(load=load, submission='paths["shuffled"]', spec="SPEC")


def measure_metric(metric: str, rows: int, repeat: int) -> dict[str, float]:
    """Floor, engine and naive scorer on one metric's case, round robin after a warm-up; medians."""
    case = metric_cases.case(metric, rows)
    load_seconds = timed(lambda: load_solution(case.solution, case.spec))
    solution = load_solution(case.solution, case.spec, sha256=file_sha256(case.solution))
    engine_result = score_file(case.submission, solution, case.spec)
    naive_result = case.naive()
    for engine_score, naive_score_ in zip(
        (engine_result.public_score, engine_result.private_score), naive_result, strict=True
    ):
        assert np.isclose(engine_score, naive_score_, rtol=1e-6, atol=1e-9), (
            metric,
            engine_result,
            naive_result,
        )
    runs = {
        "floor": lambda: pa_csv.read_csv(case.submission),
        "engine": lambda: score_file(case.submission, solution, case.spec),
        "naive": case.naive,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu_times: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():
        run()
    for _ in range(repeat):
        for name, run in runs.items():
            wall, cpu = timed_with_cpu(run)
            times[name].append(wall)
            cpu_times[name].append(cpu)
    result = {name: statistics.median(values) for name, values in times.items()}
    result.update({f"{name}_cpu": statistics.median(values) for name, values in cpu_times.items()})
    result.update(rows=case.rows, megabytes=case.submission.stat().st_size / 1e6, load=load_seconds)
    result["data"] = case.data  # type: ignore[assignment]
    return result


def metric_peak_memory(metric: str, rows: int) -> dict[str, float]:
    """Peak resident memory added by one scoring of the metric's case, in a fresh process (see peak_memory)."""
    load = (
        "import metric_cases\n"
        f"case = metric_cases.case({metric!r}, {rows})\n"
        "solution = load_solution(case.solution, case.spec)"
    )
    return _peak_in_fresh_process(load=load, submission="case.submission", spec="case.spec")


def run_metrics(metrics: list[str], rows: int, repeat: int, memory: bool) -> None:
    print(
        "| metric | data | rows | file MB | pyarrow read (floor) | engine | naive pandas+sklearn "
        "| engine / floor | naive / engine | CPU: floor | CPU: engine | CPU: engine / floor "
        "| peak memory above the solution |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    over = []
    for metric in metrics:
        figures = measure_metric(metric, rows, repeat)
        ratio = figures["engine"] / figures["floor"]
        if ratio > 2.0:
            over.append(metric)
        peak = "not measured"
        if memory:
            used = metric_peak_memory(metric, rows)
            peak = f"{used['peak'] / 1e6:.1f} MB ({used['peak'] / used['file']:.1f}x the file)"
        print(
            f"| {metric} | {figures['data']} | {figures['rows']:,} | {figures['megabytes']:.1f} "
            f"| {figures['floor']:.4f} s | {figures['engine']:.4f} s | {figures['naive']:.3f} s "
            f"| {ratio:.2f}x | {figures['naive'] / figures['engine']:.1f}x "
            f"| {figures['floor_cpu']:.4f} s | {figures['engine_cpu']:.4f} s "
            f"| {figures['engine_cpu'] / figures['floor_cpu']:.2f}x | {peak} |",
            flush=True,
        )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f} (other processes share the 2 cores).")
    print("Every metric within 2.0x the floor." if not over else f"Over 2.0x the floor: {', '.join(over)}.")


INSIGHT_METRICS = ("accuracy", "rmse", "roc_auc", "log_loss")  # one of each kind the insight describes


def measure_insight(metric: str, rows: int, repeat: int) -> dict[str, float]:
    """score_file() without and with insight=True on one metric's case, round robin after a warm-up; medians."""
    case = metric_cases.case(metric, rows)
    solution = load_solution(case.solution, case.spec, sha256=file_sha256(case.solution))
    plain, described = (
        score_file(case.submission, solution, case.spec, insight=flag) for flag in (False, True)
    )
    assert plain.public_score == described.public_score and described.insight is not None, metric
    runs = {
        "engine": lambda: score_file(case.submission, solution, case.spec),
        "engine_insight": lambda: score_file(case.submission, solution, case.spec, insight=True),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():
        run()
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    result = {name: statistics.median(values) for name, values in times.items()}
    result.update(
        rows=case.rows, public=solution.public_count, megabytes=case.submission.stat().st_size / 1e6
    )
    result["data"] = case.data  # type: ignore[assignment]
    result["kind"] = described.insight["kind"]  # type: ignore[assignment]
    return result


def run_insight(rows: int, repeat: int) -> None:
    print(
        "| metric | data | rows (Public) | file MB | engine | engine + insight | insight costs | insight kind |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    over = []
    for metric in INSIGHT_METRICS:
        figures = measure_insight(metric, rows, repeat)
        extra = figures["engine_insight"] / figures["engine"] - 1
        if extra > 0.20:
            over.append(metric)
        print(
            f"| {metric} | {figures['data']} | {figures['rows']:,} ({figures['public']:,}) "
            f"| {figures['megabytes']:.1f} | {figures['engine']:.4f} s | {figures['engine_insight']:.4f} s "
            f"| {extra:+.1%} | {figures['kind']} |",
            flush=True,
        )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f} (other processes share the 2 cores).")
    print("The insight costs at most 20 % everywhere." if not over else f"Over 20 %: {', '.join(over)}.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated, from " + ", ".join(SIZES))
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per contender (median reported)")
    parser.add_argument(
        "--ids",
        choices=["numbers", "file-names"],
        default="numbers",
        help="ImageId as 1..N or img_0000001.png",
    )
    parser.add_argument(
        "--metrics",
        help="'all' or comma-separated metric keys: one row per metric, each on data in the layout it reads",
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows per metric with --metrics (30 %% for matrices)"
    )
    parser.add_argument("--no-memory", action="store_true", help="with --metrics: skip the peak memory runs")
    parser.add_argument(
        "--insight",
        action="store_true",
        help="scoring with and without the insight, on --rows rows per metric",
    )
    arguments = parser.parse_args()
    sizes = [SIZES[size.strip()] for size in arguments.sizes.split(",") if size.strip()]

    print(
        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}, pyarrow {pa.__version__}, "
        f"pandas {pd.__version__}, NumPy {np.__version__}, scikit-learn {sklearn.__version__}; "
        f"ids: {arguments.ids}; load average at start {os.getloadavg()[0]:.2f}\n"
    )
    if arguments.insight:
        run_insight(arguments.rows, arguments.repeat)
        return
    if arguments.metrics:
        chosen = list(METRICS) if arguments.metrics == "all" else arguments.metrics.split(",")
        unknown = [metric for metric in chosen if metric not in METRICS]
        if unknown:
            parser.error(f"unknown metrics {unknown}; known: {', '.join(METRICS)}")
        run_metrics(chosen, arguments.rows, arguments.repeat, not arguments.no_memory)
        return
    print(
        "| rows | file MB | pyarrow read (floor) | engine, in order | engine, shuffled | naive pandas+sklearn "
        "| shuffled / floor | naive / shuffled | solution load (cached) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for rows in sizes:
        figures = measure(rows, arguments.repeat, arguments.ids)
        results.append(figures)
        print(
            f"| {rows:,} | {figures['megabytes']:.1f} | {figures['floor']:.4f} s | {figures['engine_in_order']:.4f} s "
            f"| {figures['engine_shuffled']:.4f} s | {figures['naive']:.3f} s "
            f"| {figures['engine_shuffled'] / figures['floor']:.2f}x "
            f"| {figures['naive'] / figures['engine_shuffled']:.1f}x "
            f"| {figures['load']:.3f} s ({figures['cached_load'] * 1e3:.2f} ms) |",
            flush=True,
        )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f} (other processes share the 2 cores).")
    for figures in results:
        if figures["rows"] != 1_000_000:
            continue
        slowest = max(figures["engine_in_order"], figures["engine_shuffled"])
        ratio = slowest / figures["floor"]
        speedup = figures["naive"] / slowest
        print(
            f"\n1M rows: engine {slowest:.4f} s (slower of the two orders) = {ratio:.2f}x the pyarrow floor "
            f"(target <= 2.5x: {'met' if ratio <= 2.5 else 'NOT met'}), {speedup:.1f}x faster than naive "
            f"(target >= 5x: {'met' if speedup >= 5 else 'NOT met'})."
        )
        memory = peak_memory(1_000_000, arguments.ids)
        print(
            f"1M rows: scoring peaks at {memory['peak'] / 1e6:.1f} MB above the loaded solution, "
            f"{memory['peak'] / memory['file']:.1f}x the {memory['file'] / 1e6:.1f} MB file."
        )


if __name__ == "__main__":
    main()
