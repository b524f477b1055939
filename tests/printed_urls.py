"""Every URL a command printed, fetched as a person clicking it would: each must answer 200."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

URL = re.compile(r"https?://[^\s\"'<>()\[\]│]+")


def printed_urls(text: str) -> list[str]:
    return sorted({url.rstrip(".,;:") for url in URL.findall(text)})


def look_at_blocks(text: str) -> list[str]:
    """The indented lines under each "Look at:"."""
    blocks = text.split("Look at:\n")[1:]
    return ["\n".join(line for line in _indented(block)) for block in blocks]


def _indented(block: str):
    for line in block.splitlines():
        if not line.startswith("  "):
            return
        yield line


def broken_urls(urls: list[str], grafana_base: str = "", grafana_auth: tuple[str, str] | None = None) -> dict[str, str]:
    """URL -> what went wrong, for each that does not answer 200 (redirects followed; a page whose
    redirect drops its query, as Debian's /graph does, is broken). Grafana here is the stand-in,
    which serves the API but no UI: a dashboard page counts when the API has that dashboard and
    panel (viewPanel), its home page when /api/health answers."""
    broken = {}
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        for url in urls:
            if grafana_base and url.rstrip("/").startswith(grafana_base.rstrip("/")):
                problem = _grafana_page_problem(client, url, grafana_base, grafana_auth)
            else:
                problem = _page_problem(client, url)
            if problem:
                broken[url] = problem
    return broken


def _page_problem(client: httpx.Client, url: str) -> str:
    try:
        answer = client.get(url)
    except httpx.HTTPError as error:
        return type(error).__name__
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}"
    if urlsplit(url).query and not answer.url.query:
        return f"redirected to {answer.url}, losing its query"
    return ""


def _grafana_page_problem(client: httpx.Client, url: str, base: str, auth: tuple[str, str] | None) -> str:
    parts = urlsplit(url)
    if "/d/" not in parts.path:
        return _page_problem(client, f"{base.rstrip('/')}/api/health")
    uid = parts.path.split("/d/", 1)[1].split("/")[0]
    answer = client.get(f"{base}/api/dashboards/uid/{uid}", auth=auth)
    if answer.status_code != 200:
        return f"no dashboard {uid} (HTTP {answer.status_code})"
    wanted = parse_qs(parts.query).get("viewPanel", [])
    panels = {str(p.get("id")) for p in answer.json()["dashboard"].get("panels", [])}
    missing = [p for p in wanted if p not in panels]
    return f"dashboard {uid} has no panel {missing}" if missing else ""
