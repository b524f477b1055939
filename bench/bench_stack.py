"""The stack: a warm `monlab up --offline` against bare `docker run` of the same containers, `up`
on a healthy stack, the app's throughput in its container, memory per container, image sizes."""

from __future__ import annotations

import json
import subprocess
from contextlib import contextmanager
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench_app import THROUGHPUT_GOAL
from measure import Row, free_port, median_of, python_command, timed, wait_http
from wrk_probe import run_wrk

UP_GOAL_RATIO = 1.5
IDEMPOTENT_GOAL_SECONDS = 1.0
PROJECT = "monlabbench"
FLOOR = "monlabbench-floor"
PROMETHEUS_IMAGE = "monlab/prometheus:bookworm"
BASE_IMAGE = "monlab/app-base:bookworm"
HERE = Path(__file__).resolve().parent


def monlab(*args: str, capture: bool = False) -> str:
    result = subprocess.run(python_command("-m", "monlab", *args), check=True, text=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.stdout or ""


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()


def port_offset() -> int:
    """An offset whose three ports (5000/9090/3000 + offset) are free right now."""
    while True:
        offset = free_port() % 20000 + 10000
        if all(_is_free(p + offset) for p in (5000, 9090, 3000)):
            return offset


def _is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _query(prometheus_url: str, expr: str) -> list:
    query = urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(f"{prometheus_url}/api/v1/query?{query}", timeout=2) as response:
        return json.load(response)["data"]["result"]


def scraped_once(prometheus_url: str) -> bool:
    try:
        return bool(_query(prometheus_url, 'up{job="flask-app"} == 1'))
    except OSError:
        return False


def wait_quiet(prometheus_url: str, timeout: float = 90) -> None:
    """Until the app's last minute holds no requests (what §5 of the labs waits for before its load)."""
    import time

    deadline = time.monotonic() + timeout
    while _query(prometheus_url, "sum(increase(http_requests_total[1m])) > 0"):
        if time.monotonic() > deadline:
            raise RuntimeError("the app never had a quiet minute")
        time.sleep(0.5)


def wait_scraped(prometheus_url: str, timeout: float = 120) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not scraped_once(prometheus_url):
        if time.monotonic() > deadline:
            raise RuntimeError("Prometheus never scraped the app")
        time.sleep(0.1)


def app_image() -> str:
    return f"monlab/{PROJECT}-app:latest"


def bare_docker_run(config_dir: Path) -> float:
    """The floor: the same images started with plain docker run, until the first good scrape."""
    offset = port_offset()
    label = f"monlab.project={FLOOR}"

    def start() -> None:
        docker("network", "create", "--label", label, f"{FLOOR}-net")
        docker("run", "-d", "--label", label, "--name", f"{FLOOR}-app", "--network", f"{FLOOR}-net",
               "--network-alias", "app", "-p", f"127.0.0.1:{5000 + offset}:5000", app_image())
        docker("run", "-d", "--label", label, "--name", f"{FLOOR}-prometheus", "--network", f"{FLOOR}-net",
               "-p", f"127.0.0.1:{9090 + offset}:9090", "-v", f"{config_dir}:/etc/prometheus:ro",
               "--tmpfs", "/prometheus:uid=65534", PROMETHEUS_IMAGE,
               "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus")
        wait_scraped(f"http://127.0.0.1:{9090 + offset}")

    try:
        return timed(start)
    finally:
        remove_floor()


def remove_floor() -> None:
    ids = docker("ps", "-aq", "--filter", f"label=monlab.project={FLOOR}").split()
    if ids:
        docker("rm", "-f", *ids)
    subprocess.run(["docker", "network", "rm", f"{FLOOR}-net"], capture_output=True)


def monlab_up(offset: int) -> float:
    seconds = timed(lambda: monlab("up", "--offline", "--project", PROJECT, "--port-offset", str(offset)))
    return seconds


def teardown() -> None:
    monlab("teardown", "--project", PROJECT)


def remove_all_but_images() -> None:
    """Between warm runs: containers, network and volumes go (fresh volumes), the built app image stays."""
    label = f"label=monlab.project={PROJECT}"
    ids = docker("ps", "-aq", "--filter", label).split()
    if ids:
        docker("rm", "-f", *ids)
    for kind in ("network", "volume"):
        names = docker(kind, "ls", "-q", "--filter", label).split()
        if names:
            docker(kind, "rm", *names)


def memory_mib(container: str) -> float:
    usage = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container).split("/")[0].strip()
    number = float("".join(c for c in usage if c.isdigit() or c == "."))
    scale = {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "B": 1 / 2**20}
    unit = next(u for u in ("KiB", "MiB", "GiB", "B") if usage.endswith(u))
    return number * scale[unit]


def image_mib(image: str) -> float:
    return int(docker("image", "inspect", "--format", "{{.Size}}", image)) / 2**20


@contextmanager
def lecture_app_container():
    """The baseline in a container: the lecture's app on Flask's dev server, in the same base image."""
    port = free_port()
    name = f"{FLOOR}-lecture"
    docker("run", "-d", "--label", f"monlab.project={FLOOR}", "--name", name, "-p", f"127.0.0.1:{port}:5000",
           "-v", f"{HERE / 'lecture_app.py'}:/lecture_app.py:ro", BASE_IMAGE, "python3", "/lecture_app.py", "5000", "0.0.0.0")
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url)
        yield name, url
    finally:
        remove_floor()


def wrk_median(url: str, repeat: int):
    run_wrk(url, seconds=1)
    results = sorted((run_wrk(url, seconds=5) for _ in range(repeat)), key=lambda r: r.requests_per_second)
    return results[len(results) // 2]


def run(repeat: int) -> list[Row]:
    monlab("images", "bootstrap")
    offset = port_offset()
    monlab_up(offset)  # builds the app image once, so every measured run below is warm
    remove_all_but_images()
    with tempfile.TemporaryDirectory() as out:
        monlab("render", "--out", out)
        prometheus_dir = Path(out) / "prometheus"
        for path in [prometheus_dir, *prometheus_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        floor = median_of(repeat, lambda: bare_docker_run(prometheus_dir))

    def warm_up() -> float:
        try:
            return monlab_up(port_offset())
        finally:
            remove_all_but_images()

    up_seconds = median_of(repeat, warm_up)
    rows = [Row("Warm `monlab up --offline` to first scrape", up_seconds, "s", "bare docker run + poll", floor,
                goal=f"≤ {UP_GOAL_RATIO}× floor", met=up_seconds <= UP_GOAL_RATIO * floor)]
    offset = port_offset()
    monlab_up(offset)
    try:
        again = median_of(repeat, lambda: monlab_up(offset))
        rows.append(Row("`monlab up` on a healthy stack", again, "s", "warm up from nothing", up_seconds,
                        goal=f"≤ {IDEMPOTENT_GOAL_SECONDS} s", met=again <= IDEMPOTENT_GOAL_SECONDS))
        rows.extend(container_figures(offset, repeat))
    finally:
        teardown()
    return rows


def container_figures(offset: int, repeat: int) -> list[Row]:
    url = f"http://127.0.0.1:{5000 + offset}/"
    wait_http(url)
    ours = wrk_median(url, repeat)
    app_memory, prometheus_memory = memory_mib(f"{PROJECT}-app"), memory_mib(f"{PROJECT}-prometheus")
    with lecture_app_container() as (name, lecture_url):
        lecture = wrk_median(lecture_url, repeat)
        lecture_memory = memory_mib(name)
    base = image_mib(BASE_IMAGE)
    lecture_label = "lecture app, Flask dev server, same base image"
    return [
        Row("App throughput on / (in its container)", ours.requests_per_second, "req/s", lecture_label,
            lecture.requests_per_second, goal=f"≥ {THROUGHPUT_GOAL}× baseline",
            met=ours.requests_per_second >= THROUGHPUT_GOAL * lecture.requests_per_second, higher_is_better=True),
        Row("App p99 latency on / (in its container)", ours.p99_seconds, "s", lecture_label, lecture.p99_seconds),
        Row("Memory: app container (after the load)", app_memory, "MiB", lecture_label, lecture_memory),
        Row("Memory: prometheus container", prometheus_memory, "MiB"),
        Row("Image size: app", image_mib(app_image()), "MiB", "its base image", base),
        Row("Image size: prometheus (offline)", image_mib(PROMETHEUS_IMAGE), "MiB",
            "the same Debian bootstrap with Python instead", base),
    ]
