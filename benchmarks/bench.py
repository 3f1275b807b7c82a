"""`make bench`: Assurbot against stock Rasa, side by side, on this machine.

    python -m benchmarks.bench                 # the full run (about 15 minutes)
    python -m benchmarks.bench --quick         # a smoke run (short levels), not for figures

One run, same machine, same training data, same action server and member-information system,
one configuration at a time (so each has the whole machine):

1. **assurbot** — the production shape: Redis event-log tracker store and atomic lock store,
   ``SANIC_WORKERS`` workers, parse and prediction caches on;
2. **assurbot-nocache** — the same with ``ASSURBOT_CACHE=0``;
3. **stock** — Rasa 3.6 as a team would run it without us: the `rasa init` pipeline and
   policies (benchmarks/stock/config.yml), one Sanic worker, Rasa's own Redis stores.

For each: time to the first answer after start (model load), then Locust (benchmarks/
locustfile.py, in its own Python 3.11 environment) in closed loop at each concurrency level,
and at fixed mean arrival rates (open loop, Poisson arrivals), with CPU and resident memory
sampled per process;
then the cost of a message at the 2nd and the 300th of one conversation. Then both models'
weighted F1 on tests/test_nlu.yml, a py-spy profile of a worker under load, and the
jsonschema measurement (benchmarks/jsonschema_validation.py).

Results go to benchmarks/results/<date>.json and benchmarks/RESULTS.md; the last line printed
is ``bench: <N> msg/s, p95 <N> ms, <N>x stock``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import httpx
import psutil
import redis

from assurbot.stack import ROOT, Stack, default_services
from assurbot.train import ensure_model, model_path, training_seconds
from member_system.token import issue_token

BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
BENCH_VENV = ROOT / ".venv-bench"
STOCK_CONFIG = BENCH / "stock" / "config.yml"
CLOSED_LEVELS = (1, 8, 32)
OPEN_RATES = (60, 100)  # messages per second offered, in open loop
DESIGN_USERS = 32  # the level the headline ratio is taken at
LONG_CONVERSATION = 300


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- environment ----------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_bench_venv() -> Path:
    locust = BENCH_VENV / "bin" / "locust"
    if not locust.exists():
        log("creating the load generator's environment (.venv-bench, Python 3.11)...")
        python = shutil.which("python3.11") or shutil.which("python3")
        subprocess.run([python, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(BENCH_VENV / "bin" / "pip"),
                "install",
                "-q",
                "-r",
                str(BENCH / "requirements.txt"),
            ],
            check=True,
        )
    return BENCH_VENV / "bin"


def redis_base() -> str:
    url = os.environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379"
    return url.rsplit("/", 1)[0] if url.count("/") > 2 else url


@dataclass
class Config:
    name: str
    model: Path
    env: Dict[str, str]
    command: List[str]
    workers: int


def base_env(ports: Dict[str, str]) -> Dict[str, str]:
    env = dict(os.environ)
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env.setdefault(key, value)
    env.update(ports)
    env.update(
        {
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_SERVER_PORT']}/webhook",
            "MEMBER_SYSTEM_URL": f"http://127.0.0.1:{ports['MEMBER_SYSTEM_PORT']}",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            # Counted as in production, but a 300-message conversation must not be stopped.
            "RATE_LIMIT_MESSAGES": "1000",
        }
    )
    return env


def configs(env: Dict[str, str], db: int, workers: int) -> List[Config]:
    base = redis_base()
    rasa = str(ROOT / ".venv" / "bin" / "rasa")
    ours_env = dict(
        env,
        REDIS_URL=f"{base}/{db}",
        REDIS_KEY_PREFIX="bench" + uuid.uuid4().hex[:6],
        SANIC_WORKERS=str(workers),
        RASA_API_TOKEN="",
    )
    ours_model = model_path()

    def ours_command(model: Path) -> List[str]:
        return [
            rasa, "run", "--model", str(model), "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--port", env["RASA_PORT"],
            "--interface", "127.0.0.1",
        ]  # fmt: skip

    host, port = base.split("//", 1)[1].split(":")
    stock_env = dict(
        env,
        BENCH_REDIS_HOST=host,
        BENCH_REDIS_PORT=port,
        BENCH_REDIS_DB=str(db),
        BENCH_STOCK_PREFIX="stock" + uuid.uuid4().hex[:6],
    )
    stock_env.pop("SANIC_WORKERS", None)
    stock_model = model_path(STOCK_CONFIG, "stock")
    stock_command = [
        rasa, "run", "--model", str(stock_model),
        "--endpoints", str(BENCH / "stock" / "endpoints.yml"),
        "--credentials", str(BENCH / "stock" / "credentials.yml"),
        "--port", env["RASA_PORT"], "--interface", "127.0.0.1",
    ]  # fmt: skip
    return [
        Config(
            "assurbot",
            ours_model,
            dict(ours_env, ASSURBOT_CACHE="1"),
            ours_command(ours_model),
            workers,
        ),
        Config(
            "assurbot-nocache",
            ours_model,
            dict(ours_env, ASSURBOT_CACHE="0"),
            ours_command(ours_model),
            workers,
        ),
        Config("stock", stock_model, stock_env, stock_command, 1),
    ]


# --- processes: CPU and memory ----------------------------------------------------------------
class Sampler:
    """CPU % and RSS of named processes (and their children), sampled every second."""

    def __init__(self, roles: Dict[str, psutil.Process]) -> None:
        self.roles = roles
        self.samples: Dict[str, List[Tuple[float, float]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _processes(self) -> Dict[str, List[psutil.Process]]:
        out: Dict[str, List[psutil.Process]] = {}
        for role, proc in self.roles.items():
            try:
                out[role] = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                out[role] = []
        return out

    def _run(self) -> None:
        seen: Dict[int, psutil.Process] = {}
        while not self._stop.is_set():
            for role, procs in self._processes().items():
                for p in procs:
                    if p.pid not in seen:
                        seen[p.pid] = p
                        try:
                            p.cpu_percent(None)
                        except psutil.Error:
                            pass
                        continue
                    try:
                        cpu = seen[p.pid].cpu_percent(None)
                        rss = seen[p.pid].memory_info().rss / 2**20
                    except psutil.Error:
                        continue
                    label = role if p is self.roles[role] else f"{role}[{p.pid}]"
                    self.samples.setdefault(label, []).append((cpu, rss))
            self._stop.wait(1.0)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> Dict[str, Dict[str, float]]:
        out = {}
        for label, values in sorted(self.samples.items()):
            busy = [c for c, _ in values[1:]] or [0.0]
            out[label] = {
                "cpu_percent_mean": round(statistics.mean(busy), 1),
                "rss_mb_max": round(max(r for _, r in values), 1),
            }
        return out


def redis_process() -> Optional[psutil.Process]:
    try:
        pid = redis.Redis.from_url(redis_base()).info("server")["process_id"]
        return psutil.Process(int(pid))
    except Exception:
        return None


# --- load -------------------------------------------------------------------------------------
@dataclass
class LoadResult:
    label: str
    users: int
    rate: Optional[float]
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    by_kind: Dict[str, Dict[str, float]] = field(default_factory=dict)
    processes: Dict[str, Dict[str, float]] = field(default_factory=dict)
    drain_seconds: float = 0.0  # time the server then took to finish its queued requests


def run_locust(
    bin_dir: Path,
    host: str,
    users: int,
    seconds: int,
    env: Dict[str, str],
    rate: Optional[float] = None,
    roles: Optional[Dict[str, psutil.Process]] = None,
    label: str = "",
) -> LoadResult:
    workdir = Path(tempfile.mkdtemp(prefix="locust-"))
    locust_env = dict(env, PYTHONPATH=str(ROOT), BENCH_USER_RATE=str(rate or 0))
    command = [
        str(bin_dir / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host,
        "--csv", str(workdir / "run"), "--only-summary", "--loglevel", "ERROR",
        "--stop-timeout", "10",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, env=locust_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler_roles = dict(roles or {})
    sampler_roles["locust"] = psutil.Process(proc.pid)
    with Sampler(sampler_roles) as sampler:
        _, err = proc.communicate(timeout=seconds + 120)
    result = LoadResult(label, users, rate, processes=sampler.summary())
    stats = workdir / "run_stats.csv"
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics: {err.decode()[-2000:]}")
    with stats.open() as f:
        for row in csv.DictReader(f):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
            if row["Name"] == "Aggregated":
                result.requests, result.failures = figures["requests"], figures["failures"]
                result.rps, result.p50 = figures["rps"], figures["p50"]
                result.p95, result.p99 = figures["p95"], figures["p99"]
            else:
                result.by_kind[row["Name"]] = figures
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def drain(rasa: psutil.Process, limit: float = 600) -> float:
    """Waits until Rasa has finished the requests still queued in it (an overloaded server
    keeps working through its backlog after the load stops, which would slow the next
    measurement); returns the seconds waited."""
    started = time.monotonic()
    processes = [rasa] + rasa.children(recursive=True)
    while time.monotonic() - started < limit:
        for p in processes:
            try:
                p.cpu_percent(None)
            except psutil.Error:
                pass
        time.sleep(1.0)
        busy = 0.0
        for p in processes:
            try:
                busy += p.cpu_percent(None)
            except psutil.Error:
                pass
        if busy < 15:
            break
    return round(time.monotonic() - started, 1)


def first_answer_seconds(url: str, started: float, timeout: float = 300) -> float:
    body = {"sender": "bench-load-" + uuid.uuid4().hex, "message": "bonjour"}
    while time.monotonic() - started < timeout:
        try:
            reply = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=10)
            if reply.status_code == 200 and reply.json():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def long_conversation(url: str, conversations: int, length: int) -> Dict[str, Any]:
    """Latency of each message of `conversations` conversations of `length` messages; the
    texts cycle through a realistic member's questions (persona, personal and FAQ)."""
    texts = [
        "Où en est mon remboursement ?",
        "Comment obtenir une attestation de droits ?",
        "J'ai perdu ma carte Vitale",
        "merci",
        "Quel est le délai de carence pour un arrêt maladie ?",
        "Quand seront payées mes indemnités journalières ?",
        "Comment déclarer mon médecin traitant ?",
    ]
    token = issue_token("P-CLAIRE-REMB", ttl=3600)
    per_position: List[List[float]] = [[] for _ in range(length)]
    with httpx.Client(timeout=30) as client:
        for c in range(conversations):
            sender = f"bench-long-{c}-{uuid.uuid4().hex[:8]}"
            for i in range(length):
                body = {
                    "sender": sender,
                    "message": texts[i % len(texts)],
                    "metadata": {"auth_token": token},
                }
                started = time.perf_counter()
                reply = client.post(f"{url}/webhooks/rest/webhook", json=body)
                per_position[i].append(1000 * (time.perf_counter() - started))
                reply.raise_for_status()

    def window(a: int, b: int) -> float:
        return round(statistics.median([v for pos in per_position[a:b] for v in pos]), 1)

    second = round(statistics.median(per_position[1]), 1)
    last = round(statistics.median(per_position[length - 1]), 1)
    return {
        "conversations": conversations,
        "messages": length,
        "ms_message_2": second,
        "ms_message_last": last,
        "ms_messages_2_to_11": window(1, 11),
        "ms_messages_last_10": window(length - 10, length),
        "ratio_last_to_2nd": round(window(length - 10, length) / window(1, 11), 2),
    }


def profile(pid: int, seconds: int, out: Path) -> Optional[str]:
    """py-spy samples of one Rasa worker under load, summed by function."""
    py_spy = BENCH_VENV / "bin" / "py-spy"
    if not py_spy.exists():
        return None
    raw = out.with_suffix(".collapsed")
    result = subprocess.run(
        [str(py_spy), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100",
         "--format", "raw", "--output", str(raw), "--nonblocking"],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0 or not raw.exists():
        return f"py-spy failed: {result.stderr.strip()[-300:]}"
    total, inclusive, own = 0, {}, {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n
    raw.unlink()

    def top(table: Dict[str, int], k: int) -> List[str]:
        rows = sorted(table.items(), key=lambda kv: -kv[1])[:k]
        return [f"{100 * n / total:5.1f} %  {frame}" for frame, n in rows]

    text = "\n".join(
        [
            f"# py-spy, {seconds} s at 100 Hz, {total} samples of one Rasa worker under load",
            "",
            "## Inclusive (time spent in the function and what it calls)",
            *top(inclusive, 45),
            "",
            "## Self (time spent in the function's own code)",
            *top(own, 25),
        ]
    )
    out.write_text(text + "\n")
    return str(out.relative_to(ROOT))


def redis_footprint(client: "redis.Redis", sample: int = 2000) -> Dict[str, Any]:
    """Memory a conversation takes in Redis (our event log: list + meta hash), from the mix's
    conversations (the 300-message ones left out), for sizing Redis."""
    sizes, events = [], []
    for key in client.scan_iter(match="bench*:tracker:bench-*", count=1000):
        if b"bench-long" in key or client.type(key) != b"list":
            continue
        meta = key.replace(b":tracker:", b":tracker_meta:")
        sizes.append((client.memory_usage(key) or 0) + (client.memory_usage(meta) or 0))
        events.append(client.llen(key))
        if len(sizes) >= sample:
            break
    if not sizes:
        return {}
    return {
        "conversations_sampled": len(sizes),
        "bytes_mean": round(statistics.mean(sizes)),
        "events_mean": round(statistics.mean(events), 1),
    }


def nlu_f1(model: Path, name: str) -> Dict[str, Any]:
    out = ROOT / "results" / "bench" / f"nlu-{name}"
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "tests.nlu_evaluation",
         "--model", str(model), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads((out / "report.json").read_text())
    keys = ("weighted_f1", "classifier_f1", "answer_rate", "correct_answer_rate")
    keys += ("wrong_answer_rate", "out_of_scope_handled")
    return {k: report[k] for k in keys}


# --- one configuration ------------------------------------------------------------------------
def measure(config: Config, args: argparse.Namespace, bin_dir: Path, shared: Dict[str, Any]):
    url = f"http://127.0.0.1:{config.env['RASA_PORT']}"
    log(f"{config.name}: starting Rasa ({config.workers} worker(s))...")
    out: Dict[str, Any] = {"workers": config.workers, "model": config.model.name}
    log_path = ROOT / "var" / "log" / f"bench-{config.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log_file:
        started = time.monotonic()
        proc = subprocess.Popen(
            config.command, env=config.env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            out["load_seconds"] = round(first_answer_seconds(url, started), 1)
            log(f"{config.name}: first answer {out['load_seconds']} s after start")
            rasa = psutil.Process(proc.pid)
            roles = dict(shared["roles"], rasa=rasa)
            # The same warm-up for everyone (fills the caches where there are some).
            run_locust(bin_dir, url, 8, args.warmup, config.env)
            out["closed"] = []
            for users in args.levels:
                r = run_locust(
                    bin_dir, url, users, args.duration, config.env, roles=roles, label="closed"
                )
                out["closed"].append(r.__dict__)
                r.drain_seconds = drain(rasa)
                log(
                    f"{config.name}: {users:>3} users  {r.rps:7.1f} msg/s  p50 {r.p50:.0f}  "
                    f"p95 {r.p95:.0f}  p99 {r.p99:.0f} ms  failures {r.failures}"
                )
            out["open"] = []
            # Without its caches, ours saturates near 80 msg/s: only the design rate.
            rates = args.rates[:1] if config.name == "assurbot-nocache" else args.rates
            for rate in rates:
                users = int(rate)
                r = run_locust(bin_dir, url, users, args.duration, config.env, 1.0, roles, "open")
                out["open"].append(r.__dict__)
                r.drain_seconds = drain(rasa)
                if r.drain_seconds > 5:
                    log(f"{config.name}: {r.drain_seconds} s to work through the backlog")
                log(
                    f"{config.name}: offered {rate} msg/s  served {r.rps:.1f}  p50 {r.p50:.0f}  "
                    f"p95 {r.p95:.0f}  p99 {r.p99:.0f} ms  failures {r.failures}"
                )
            if config.name == "assurbot-nocache" and not args.quick:
                workers = rasa.children() or [rasa]
                out["profile"] = profile_under_load(workers[0].pid, bin_dir, url, config.env)
            if config.name != "assurbot":
                # Stock's 300th message takes seconds: one conversation says enough.
                count = 1 if config.name == "stock" else args.long_conversations
                out["long_conversation"] = long_conversation(url, count, args.long_length)
                log(f"{config.name}: long conversation {out['long_conversation']}")
            if config.name == "assurbot":
                try:
                    out["caches"] = httpx.get(f"{url}/webhooks/rest/ready").json().get("caches")
                except (httpx.HTTPError, ValueError):
                    pass
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return out


def profile_under_load(pid: int, bin_dir: Path, url: str, env: Dict[str, str]) -> Optional[str]:
    result: Dict[str, Optional[str]] = {}
    target = RESULTS / f"profile-{dt.date.today().isoformat()}.txt"
    thread = threading.Thread(target=lambda: result.update(p=profile(pid, 20, target)))
    thread.start()
    run_locust(bin_dir, url, 8, 25, env)
    thread.join()
    return result.get("p")


# --- report ------------------------------------------------------------------------------------
def at(results: List[Dict[str, Any]], users: int) -> Dict[str, Any]:
    return next((r for r in results if r["users"] == users), results[-1])


def goals(report: Dict[str, Any]) -> List[Tuple[str, str, Optional[bool]]]:
    """Each goal of issue 7, what this run measured, and whether it is met (None: not
    measured in this run)."""
    configs_ = report["configs"]
    ours, stock = configs_.get("assurbot"), configs_.get("stock")
    nocache = configs_.get("assurbot-nocache")
    rows: List[Tuple[str, str, Optional[bool]]] = []
    design = report["design_users"]
    if ours and stock:
        o, s_ = at(ours["closed"], design)["rps"], at(stock["closed"], design)["rps"]
        ratio = o / s_ if s_ else 0.0
        rows.append(
            (
                "throughput ≥ 3× stock",
                f"{o:.0f} vs {s_:.0f} msg/s at {design} users: {ratio:.1f}×",
                ratio >= 3,
            )
        )
    if ours:
        sixty = next((r for r in ours.get("open", []) if r["users"] * r["rate"] >= 60), None)
        if sixty:
            ok = sixty["rps"] >= 0.97 * sixty["users"] * sixty["rate"] and sixty["p95"] <= 300
            rows.append(
                (
                    "≥ 60 msg/s with p95 ≤ 300 ms",
                    f"offered {sixty['users'] * sixty['rate']:.0f}, served {sixty['rps']:.1f} "
                    f"msg/s, p95 {sixty['p95']:.0f} ms",
                    ok,
                )
            )
        workers = [
            v["rss_mb_max"]
            for k, v in at(ours["closed"], design)["processes"].items()
            if k.startswith("rasa")
        ]
        if workers:
            rows.append(
                (
                    "resident memory ≤ 1.5 GB per Rasa worker",
                    f"largest Rasa process {max(workers):.0f} MB",
                    max(workers) <= 1536,
                )
            )
        rows.append(
            (
                "model load ≤ 30 s",
                f"first answer {ours['load_seconds']} s after start",
                ours["load_seconds"] <= 30,
            )
        )
        seconds = ours.get("training_seconds")
        rows.append(
            (
                "training ≤ 10 minutes",
                f"{seconds:.0f} s" if seconds else "not recorded in this run",
                (seconds <= 600) if seconds else None,
            )
        )
    if nocache:
        sixty = next((r for r in nocache.get("open", []) if r["users"] * r["rate"] >= 60), None)
        if sixty:
            ok = sixty["rps"] >= 0.97 * sixty["users"] * sixty["rate"] and sixty["p95"] <= 300
            rows.append(
                (
                    "the same without the caches (every message parsed and predicted)",
                    f"offered {sixty['users'] * sixty['rate']:.0f}, served {sixty['rps']:.1f} "
                    f"msg/s, p95 {sixty['p95']:.0f} ms",
                    ok,
                )
            )
    if nocache and "long_conversation" in nocache:
        lc = nocache["long_conversation"]
        rows.append(
            (
                f"message {lc['messages']} ≤ 1.5× message 2",
                f"×{lc['ratio_last_to_2nd']} (no cache, median of the last 10 vs messages 2–11)",
                lc["ratio_last_to_2nd"] <= 1.5,
            )
        )
    f1 = report.get("f1", {})
    if "assurbot" in f1 and "stock" in f1:
        ours_f1, stock_f1 = f1["assurbot"], f1["stock"]
        a, b = ours_f1.get("weighted_f1"), stock_f1.get("weighted_f1")
        if a is not None and b is not None:
            rows.append(
                ("held-out weighted F1 ≥ stock's (fallback included)", f"{a} vs {b}", a >= b)
            )
        if "classifier_f1" in ours_f1 and "classifier_f1" in stock_f1:
            rows.append(
                (
                    "(for reading the row above) the classifiers alone, and wrong answers",
                    f"F1 before the fallback {ours_f1['classifier_f1']} vs "
                    f"{stock_f1['classifier_f1']}; wrong topic answered "
                    f"{ours_f1['wrong_answer_rate']:.1%} vs {stock_f1['wrong_answer_rate']:.1%}; "
                    f"answered {ours_f1['answer_rate']:.1%} vs {stock_f1['answer_rate']:.1%} "
                    "(our fallback threshold 0.55, stock's 0.3)",
                    None,
                )
            )
    return rows


def markdown(report: Dict[str, Any]) -> str:
    lines = [
        f"# Benchmark results — {report['date']}",
        "",
        f"Machine: {report['machine']['cpus']} CPUs, {report['machine']['memory_gb']} GB. "
        f"Mix: {report['mix']}. Distinct texts: {report['distinct_messages']}. "
        f"Closed-loop levels of {report['duration_s']} s after a {report['warmup_s']} s warm-up.",
        "",
        "| goal (issue 7) | measured | met |",
        "|---|---|---|",
    ]
    marks = {True: "yes", False: "**no**", None: "—"}
    for goal, measured, met in goals(report):
        lines.append(f"| {goal} | {measured} | {marks[met]} |")
    lines += [
        "",
        "| configuration | users | msg/s | p50 ms | p95 ms | p99 ms | failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, c in report["configs"].items():
        for r in c["closed"]:
            lines.append(
                f"| {name} | {r['users']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
                f"| {r['p99']:.0f} | {r['failures']} |"
            )
    lines += [
        "",
        "Open loop (Poisson arrivals at a fixed mean rate, independent of the answers):",
        "",
        "| configuration | offered msg/s | served msg/s | p50 ms | p95 ms | p99 ms | failures "
        "| backlog left, s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, c in report["configs"].items():
        for r in c.get("open", []):
            lines.append(
                f"| {name} | {r['users'] * r['rate']:.0f} | {r['rps']:.1f} | {r['p50']:.0f} "
                f"| {r['p95']:.0f} | {r['p99']:.0f} | {r['failures']} "
                f"| {r.get('drain_seconds', 0):.0f} |"
            )
    lines += [
        "",
        "| configuration | model load (first answer) s | training s | F1 held-out | answer rate |",
        "|---|---|---|---|---|",
    ]  # noqa: E501
    for name, c in report["configs"].items():
        f1 = report["f1"].get(c["model_kind"], {})
        lines.append(
            f"| {name} | {c['load_seconds']} | {c.get('training_seconds') or 'not recorded'} "
            f"| {f1.get('weighted_f1', '')} | {f1.get('answer_rate', '')} |"
        )
    lines += ["", "Processes at the design level (CPU % of one core, max RSS MB):", ""]
    for name, c in report["configs"].items():
        procs = at(c["closed"], report["design_users"])["processes"]
        cells = ", ".join(
            f"{k} {v['cpu_percent_mean']:.0f} % / {v['rss_mb_max']:.0f} MB"
            for k, v in procs.items()
        )
        lines.append(f"- {name}: {cells}")
    lines += ["", "Cost of a message along one conversation (median ms):", ""]
    for name, c in report["configs"].items():
        if "long_conversation" in c:
            lc = c["long_conversation"]
            lines.append(
                f"- {name}: messages 2–11 {lc['ms_messages_2_to_11']} ms, messages "
                f"{lc['messages'] - 9}–{lc['messages']} {lc['ms_messages_last_10']} ms "
                f"(×{lc['ratio_last_to_2nd']}); message 2 {lc['ms_message_2']} ms, message "
                f"{lc['messages']} {lc['ms_message_last']} ms"
            )
    if report.get("redis_per_conversation"):
        rp = report["redis_per_conversation"]
        lines += [
            "",
            f"Redis per conversation of the mix: {rp['bytes_mean'] / 1024:.1f} kB on average "
            f"({rp['events_mean']} events; {rp['conversations_sampled']} conversations sampled).",
        ]
    if report.get("jsonschema"):
        lines += ["", "jsonschema (one action-server reply validated by Rasa):", ""]
        lines += [f"- {k}: {v}" for k, v in report["jsonschema"].items()]
    if report["configs"].get("assurbot", {}).get("caches"):
        lines += ["", f"Cache state after the run: {report['configs']['assurbot']['caches']}"]
    if report["configs"].get("assurbot-nocache", {}).get("profile"):
        lines += ["", f"Profile: {report['configs']['assurbot-nocache']['profile']}"]
    lines += ["", "```", report["headline"], "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke run, no figures")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SANIC_WORKERS") or 2))
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    args.levels = (1, 8) if args.quick else CLOSED_LEVELS
    args.rates = (20,) if args.quick else OPEN_RATES
    args.duration = 8 if args.quick else 30
    args.warmup = 5 if args.quick else 20
    args.long_conversations = 1 if args.quick else 3
    args.long_length = 20 if args.quick else LONG_CONVERSATION

    bin_dir = ensure_bench_venv()
    if ensure_model() != 0:
        return 1
    with_stock = not args.only or "stock" in args.only
    if with_stock:
        log("the stock model (trained once, then reused)...")
        if ensure_model(STOCK_CONFIG, "stock") != 0:
            return 1

    ports = {
        name: str(free_port())
        for name in ("RASA_PORT", "ACTION_SERVER_PORT", "MEMBER_SYSTEM_PORT", "WEB_PORT")
    }
    env = base_env(ports)
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env["MEMBER_DB_URL"] = f"sqlite:///{workdir}/members.sqlite3"
    env["EVENT_STORE_URL"] = f"sqlite:///{workdir}/events.db"  # written as in production
    db = int(os.environ.get("BENCH_REDIS_DB", "9"))
    from benchmarks.corpus import MIX, Corpus

    report: Dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30),
        },
        "mix": MIX,
        "distinct_messages": Corpus().distinct_messages(),
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "design_users": DESIGN_USERS if not args.quick else args.levels[-1],
        "configs": {},
    }
    shared_services = [s for s in default_services(env) if s.name in ("member_system", "actions")]
    with Stack(env, log_dir=ROOT / "var" / "log") as stack:
        log("starting the member-information system and the action server...")
        stack.start(shared_services)
        roles = {r.service.name: psutil.Process(r.process.pid) for r in stack.running}
        redis_proc = redis_process()
        if redis_proc:
            roles["redis"] = redis_proc
        for config in configs(env, db, args.workers):
            if args.only and config.name not in args.only:
                continue
            result = measure(config, args, bin_dir, {"roles": roles})
            result["model_kind"] = "stock" if config.name == "stock" else "assurbot"
            result["training_seconds"] = training_seconds(config.model)
            report["configs"][config.name] = result
        client = redis.Redis.from_url(f"{redis_base()}/{db}")
        report["redis_per_conversation"] = redis_footprint(client)
        for key in client.scan_iter(match="bench*", count=1000):
            client.delete(key)
        for key in client.scan_iter(match="stock*", count=1000):
            client.delete(key)

    log("F1 of both models on tests/test_nlu.yml...")
    report["f1"] = {"assurbot": nlu_f1(model_path(), "assurbot")}
    if with_stock:
        report["f1"]["stock"] = nlu_f1(model_path(STOCK_CONFIG, "stock"), "stock")
    try:
        from benchmarks.jsonschema_validation import measure_all

        report["jsonschema"] = measure_all()
    except Exception as error:  # a side measurement: report, don't fail the run
        report["jsonschema"] = {"error": str(error)}

    configs_ = report["configs"]
    ours = configs_.get("assurbot")
    stock = configs_.get("stock")
    if ours and stock:
        design = report["design_users"]
        ours_rps = at(ours["closed"], design)["rps"]
        stock_rps = at(stock["closed"], design)["rps"]
        ratio = ours_rps / stock_rps if stock_rps else 0.0
        target_open = next((r for r in ours.get("open", []) if r["users"] >= 60), None)
        p95 = (target_open or at(ours["closed"], design))["p95"]
        report["headline"] = f"bench: {ours_rps:.0f} msg/s, p95 {p95:.0f} ms, {ratio:.1f}x stock"
    else:
        report["headline"] = "bench: incomplete run (--only)"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "quick" if args.quick else dt.date.today().isoformat()
    if args.only:  # a partial run never replaces the full run's results
        stem += "-" + "-".join(args.only)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if not args.quick and not args.only:
        (BENCH / "RESULTS.md").write_text(markdown(report))
    print(markdown(report))
    print(report["headline"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
