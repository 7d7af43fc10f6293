"""Start-up of `supportdir build`: seconds from the CLI's start to the flow body, in rounds, alternating.

    python -m benchmarks.startup --runs 3 [--baseline CHECKOUT] [--api ephemeral,server] > result.json

Each measured build is `supportdir build --offline --out DIR --json`. Start-up is the run's
`started_at` (set in the flow body, right after the plan) minus the moment the CLI process was
started; wall is the whole build. `ephemeral`: Prefect's temporary server, started by the build;
`server`: a `prefect server start` on 127.0.0.1 named by PREFECT_API_URL. With `--baseline`, the
same builds run from another checkout (e.g. `git worktree add /tmp/base main`) in the same rounds,
so the ratios compare like with like on a busy machine. Every configuration has its own data folder
and one build that is not counted (the sample WARC and Prefect's database created once).
Prints one JSON object on stdout; progress goes to stderr.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = "from flows.cli import main; main()"
SERVER_START_TIMEOUT_S = 180.0


def log(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def timed_build(checkout: Path, home: Path, env: dict[str, str]) -> dict[str, float]:
    """One offline build from `checkout`; its start-up and wall seconds."""
    run_env = {**env, "PYTHONPATH": str(checkout), "SUPPORTDIR_HOME": str(home)}
    command = [sys.executable, "-c", CLI, "build", "--offline", "--out", str(home / "exports"), "--json"]
    started = time.time()
    done = subprocess.run(command, env=run_env, capture_output=True, text=True, cwd=home)
    wall = time.time() - started
    if done.returncode != 0:
        raise SystemExit(f"build from {checkout} failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    flow_body = datetime.fromisoformat(summary["started_at"]).timestamp()
    return {"startup_s": round(flow_body - started, 3), "wall_s": round(wall, 3)}


@contextmanager
def prefect_server(work: Path, env: dict[str, str]):
    """A `prefect server start` on a free loopback port, for the builds that use PREFECT_API_URL."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_env = {**env, "PREFECT_HOME": str(work / "prefect-server"), "PREFECT_UI_ENABLED": "false"}
    prefect = Path(sys.executable).parent / "prefect"
    process = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    """Until the server at `url` answers its health check (or its process ends)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"prefect server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"prefect server at {url} did not answer within {SERVER_START_TIMEOUT_S:g} s")


def summarize(samples: list[dict[str, float]]) -> dict:
    """The samples and their medians."""
    return {"startup_s": [s["startup_s"] for s in samples], "wall_s": [s["wall_s"] for s in samples],
            "startup_median_s": round(statistics.median(s["startup_s"] for s in samples), 3),
            "wall_median_s": round(statistics.median(s["wall_s"] for s in samples), 3)}


def run_rounds(checkouts: dict[str, Path], apis: list[str], runs: int, work: Path,
               server_url: str | None, env: dict[str, str]) -> dict[str, dict]:
    """Every configuration once per round, in turn (one uncounted build each first)."""
    configs = [(code, api) for api in apis for code in checkouts]
    samples: dict[str, list] = {f"{code}/{api}": [] for code, api in configs}
    for round_number in range(runs + 1):
        for code, api in configs:
            name = f"{code}/{api}"
            config_env = dict(env)
            if api == "server":
                config_env["PREFECT_API_URL"] = server_url or ""
            result = timed_build(checkouts[code], work / name.replace("/", "-"), config_env)
            log(f"round {round_number}{' (not counted)' if round_number == 0 else ''} {name}: {result}")
            if round_number:
                samples[name].append(result)
    return {name: summarize(found) for name, found in samples.items()}


def api_names(text: str) -> list[str]:
    """The Prefect APIs named in `--api`, each ephemeral or server."""
    apis = [api for api in text.split(",") if api]
    unknown = sorted(set(apis) - {"ephemeral", "server"})
    if unknown or not apis:
        named = ", ".join(unknown) or "nothing"
        raise argparse.ArgumentTypeError(f"ephemeral, server or ephemeral,server, not {named}")
    return apis


def main() -> None:
    """Parse the options, run the rounds, print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Counted builds per configuration.")
    parser.add_argument("--baseline", type=Path, default=None, help="Another checkout to compare with.")
    parser.add_argument("--api", type=api_names, default="ephemeral,server",
                        help="ephemeral, server, or both as ephemeral,server (the default).")
    parser.add_argument("--work", type=Path, default=None, help="Working folder (default: a temp folder).")
    args = parser.parse_args()
    apis = args.api
    work = args.work or Path(tempfile.mkdtemp(prefix="supportdir-startup-"))
    checkouts = {"current": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    for code in checkouts:
        for api in apis:
            (work / f"{code}-{api}").mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
    log(f"configurations: {list(checkouts)} x {apis}; {args.runs} counted rounds; work {work}")
    if "server" in apis:
        with prefect_server(work, env) as url:
            results = run_rounds(checkouts, apis, args.runs, work, url, env)
    else:
        results = run_rounds(checkouts, apis, args.runs, work, None, env)
    output: dict = {"runs": args.runs, "load_avg_1m": round(os.getloadavg()[0], 2), "configs": results}
    if args.baseline:
        output["startup_ratio_current_to_baseline"] = {
            api: round(results[f"current/{api}"]["startup_median_s"]
                       / results[f"baseline/{api}"]["startup_median_s"], 3) for api in apis}
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
