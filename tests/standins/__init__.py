"""Stand-ins for monlab's online images, built locally where no registry can be reached.

Each is tagged EXACTLY as monlab's pinned online reference (monlab.project.ONLINE_IMAGES), so plain
`monlab up` finds it without pulling, and carries the label `monlab.standin=<what it really is>`:

- "app-base" (python:3.12-slim): Debian bookworm's python3 3.11 with flask, prometheus_client and
  gunicorn from monlab/app-base:bookworm, laid out like the python image (CMD python3, WORKDIR /,
  LANG C.UTF-8, `python` on PATH). No pip: monlab's app Dockerfile skips pip when flask imports.
- "prometheus" (prom/prometheus:v3.x): Debian's Prometheus 2.42 from monlab/prometheus:bookworm with
  the upstream image's layout (see PROMETHEUS_DOCKERFILE for what differs).
- "grafana" (grafana/grafana:12.4.x): NOT Grafana. A small Python server (standin_grafana/) that
  loads Grafana's provisioning files as Grafana 12.4's provisioning code does and serves the part
  of Grafana's HTTP API monlab uses; every behaviour cites the Grafana source it mirrors.

`python -m tests.standins build` builds the missing or outdated ones (`--force`: all), `remove` deletes only
images carrying the label AND tagged as those references.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from monlab.docker_runtime import DockerRuntime
from monlab.errors import ImageUnavailable
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES

LABEL = "monlab.standin"
DIGEST_LABEL = "monlab.standin.digest"  # rebuilt when the recipe or the base changes
HERE = Path(__file__).resolve().parent
Say = Callable[[str], None]

PYTHON_DOCKERFILE = """\
# Stand-in for {ref}: Debian bookworm's python3 (3.11, not 3.12) with flask, prometheus_client and
# gunicorn from the offline base. Layout as the python image: LANG, `python` on PATH, WORKDIR /,
# CMD ["python3"]. Upstream also has pip and PYTHON_VERSION; this has neither.
FROM {base}
ENV LANG=C.UTF-8
RUN ln -sf /usr/bin/python3 /usr/local/bin/python
WORKDIR /
CMD ["python3"]
"""

PROMETHEUS_DOCKERFILE = """\
# Stand-in for {ref}: Debian's Prometheus 2.42 with the layout of the upstream image
# (github.com/prometheus/prometheus Dockerfile: busybox base, /bin/prometheus and /bin/promtool,
# /etc/prometheus/prometheus.yml, WORKDIR /prometheus owned by nobody and group-writable,
# USER nobody, EXPOSE 9090, VOLUME /prometheus, ENTRYPOINT /bin/prometheus, CMD --config.file and
# --storage.tsdb.path).
# Differs from upstream: Prometheus 2.42, not 3.x (TSDB readable by 3.x, not the other way round;
# 3.x-only flags and config keys such as fallback_scrape_protocol are refused; 2.42 scrapes any
# Content-Type), Debian base instead of busybox, Debian's console templates, default config from
# the Debian package. /bin is Debian's merged-usr link to /usr/bin, so /bin/prometheus exists.
FROM {base}
USER root
RUN test -x /bin/prometheus && test -x /bin/promtool \\
    && mkdir -p /prometheus /etc/prometheus \\
    && chown -R nobody:nogroup /etc/prometheus /prometheus && chmod g+w /prometheus
WORKDIR /prometheus
USER nobody
EXPOSE 9090
VOLUME ["/prometheus"]
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
"""

GRAFANA_DOCKERFILE = """\
# Stand-in for {ref}: NOT Grafana. monlab's Python server (standin_grafana/) with the grafana image's
# layout (github.com/grafana/grafana Dockerfile): user grafana uid 472 in group root (gid 0),
# WORKDIR /usr/share/grafana, the GF_PATHS_* variables, provisioning directories, data directory
# owned by 472, EXPOSE 3000. PyYAML is copied in (pure-Python files) because the offline base
# has no python3-yaml.
FROM {base}
ENV GF_PATHS_CONFIG=/etc/grafana/grafana.ini \\
    GF_PATHS_DATA=/var/lib/grafana \\
    GF_PATHS_HOME=/usr/share/grafana \\
    GF_PATHS_LOGS=/var/log/grafana \\
    GF_PATHS_PLUGINS=/var/lib/grafana/plugins \\
    GF_PATHS_PROVISIONING=/etc/grafana/provisioning \\
    PYTHONPATH=/usr/share/grafana/standin \\
    PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /usr/share/grafana
COPY standin /usr/share/grafana/standin
# The offline base has no useradd (no passwd package): the account is one line, as adduser would write it.
RUN echo 'grafana:x:472:0::/usr/share/grafana:/usr/sbin/nologin' >> /etc/passwd \\
    && mkdir -p /etc/grafana/provisioning/datasources /etc/grafana/provisioning/dashboards \\
       /etc/grafana/provisioning/notifiers /etc/grafana/provisioning/plugins \\
       /etc/grafana/provisioning/access-control /etc/grafana/provisioning/alerting \\
       /var/log/grafana /var/lib/grafana/plugins \\
    && touch /etc/grafana/grafana.ini \\
    && chown -R 472:0 /var/lib/grafana /var/log/grafana /etc/grafana/provisioning \\
    && chmod -R 777 /var/lib/grafana /var/log/grafana /etc/grafana/provisioning \\
    && python3 -c "import yaml, standin_grafana"
EXPOSE 3000
USER 472
ENTRYPOINT ["python3", "-m", "standin_grafana"]
"""


@dataclass(frozen=True)
class StandIn:
    key: str  # in ONLINE_IMAGES
    base: str
    really: str  # the label value: what the image really is
    dockerfile: str
    context: Callable[[Path], None] = lambda _dir: None

    @property
    def ref(self) -> str:
        return ONLINE_IMAGES[self.key]

    @property
    def shown_ref(self) -> str:
        """The pin as Docker shows it (python:3.12-slim): the recipe, and so its digest, stayed the same
        when the pins became fully qualified, so existing stand-ins are not rebuilt for it."""
        return self.ref.removeprefix("docker.io/").removeprefix("library/")


def _grafana_context(directory: Path) -> None:
    import yaml  # the host's PyYAML, whose pure-Python files run on the image's Python 3.11 too

    target = directory / "standin"
    shutil.copytree(HERE / "grafana" / "standin_grafana", target / "standin_grafana",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(yaml.__file__).parent, target / "yaml",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "cyaml.py"))


STANDINS = (
    StandIn("app-base", OFFLINE_IMAGES["app-base"], "debian-bookworm-python3.11 (monlab python stand-in)",
            PYTHON_DOCKERFILE),
    StandIn("prometheus", OFFLINE_IMAGES["prometheus"], "debian-bookworm-prometheus-2.42 (monlab prometheus stand-in)",
            PROMETHEUS_DOCKERFILE),
    StandIn("grafana", OFFLINE_IMAGES["app-base"], "monlab grafana stand-in (python, not Grafana)",
            GRAFANA_DOCKERFILE, _grafana_context),
)


def is_standin(runtime: DockerRuntime, ref: str) -> bool:
    return runtime.image_id(ref) is not None and LABEL in runtime.image_labels(ref)


def build(runtime: DockerRuntime, force: bool = False, say: Say = print) -> list[str]:
    """Build the stand-ins that are missing or whose recipe changed (all with `force`); returns the
    refs built. A tag held by an image that is not a stand-in (a real pulled image) is left alone."""
    built = []
    for standin in STANDINS:
        present = runtime.image_id(standin.ref) is not None
        if present and not is_standin(runtime, standin.ref):
            say(f"{standin.ref} is a real image here, not a stand-in: left as it is")
            continue
        if runtime.image_id(standin.base) is None:
            raise ImageUnavailable(f"{standin.base} is missing, so the {standin.ref} stand-in cannot be built",
                                   "Run `monlab images bootstrap` first.")
        with tempfile.TemporaryDirectory(prefix="monlab-standin-") as tmp:
            context = Path(tmp)
            (context / "Dockerfile").write_text(standin.dockerfile.format(ref=standin.shown_ref, base=standin.base))
            standin.context(context)
            digest = _digest(context, runtime.image_id(standin.base) or "")
            if present and not force and runtime.image_labels(standin.ref).get(DIGEST_LABEL) == digest:
                say(f"{standin.ref} stand-in is up to date (use --force to rebuild)")
                continue
            say(f"Building {standin.ref} stand-in ({standin.really}) from {standin.base}")
            # monlab.image=offline is inherited from the base; a stand-in is not an offline image.
            labels = {LABEL: standin.really, DIGEST_LABEL: digest, "monlab.image": "standin"}
            old = runtime.image_id(standin.ref)
            new = runtime.build_image(context, standin.ref, {}, labels, lambda chunk: None)
            if old and old != new:
                _drop_if_unused(runtime, old)
        built.append(standin.ref)
    return built


def _drop_if_unused(runtime: DockerRuntime, image_id: str) -> None:
    """The replaced stand-in, now untagged; kept if a container still uses it (no force)."""
    try:
        runtime.client.api.remove_image(image_id)
    except Exception:  # in use by someone's container, or already gone: leave it
        pass


def _digest(context: Path, base_id: str) -> str:
    """What the image is made of: its base image and every file of its build context."""
    sha = hashlib.sha256(base_id.encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        sha.update(str(path.relative_to(context)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def remove(runtime: DockerRuntime, refs: list[str] | None = None, say: Say = print) -> list[str]:
    """Remove the stand-in images (only those carrying the label and tagged as the pinned refs)."""
    removed = []
    for standin in STANDINS:
        if refs is not None and standin.ref not in refs:
            continue
        if is_standin(runtime, standin.ref):
            runtime.remove_image(standin.ref)
            removed.append(standin.ref)
            say(f"Removed {standin.ref} stand-in")
    return removed
