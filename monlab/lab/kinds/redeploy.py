"""`redeploy`: rebuild the app image and recreate only the app container (Prometheus keeps its history).

`app: lecture` is the lecture's app; `app: improved` is the lecture's app with files replaced by
`overlay` (paths relative to labs/), or the student's directory given with `--app DIR`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from monlab.lab.kind import Kind, StepSource
from monlab.resources import app_source_dir

APPS = ("lecture", "improved")
IMAGE_KEY = "redeploy the lecture's app"


def _parse(src: StepSource) -> dict:
    app = src.get("app")
    if app not in APPS:
        raise src.error("app", f"must be one of {', '.join(APPS)}, got {app!r}")
    overlay = {}
    for name, relative in (src.get("overlay") or {}).items():
        file = src.file.parent / str(relative)  # next to the lab file: the shipped labs/ or a teacher's --labs DIR
        if not file.is_file():
            raise src.error(f"overlay.{name}", f"{relative!r} is not a file next to {src.file.name}")
        overlay[str(name)] = file
    if overlay and app == "lecture":
        raise src.error("overlay", "only an improved app has an overlay")
    return {"app": app, "overlay": overlay}


def _describe(p: dict) -> str:
    if p["app"] == "lecture":
        return "redeploy the lecture's app"
    return "redeploy the improved app" + (f" ({', '.join(p['overlay'])} replaced)" if p["overlay"] else "")


def _run(ctx, params: dict) -> list:
    _redeploy(ctx, params)
    ctx.mark_restart(_describe(params).replace("redeploy", "redeployed", 1), "redeploy")
    return []


def _redeploy(ctx, params: dict) -> None:
    if params["app"] == "lecture":
        ctx.disrupted(IMAGE_KEY, lambda: ctx.stack.redeploy_app(None))  # a Ctrl-C mid-redeploy is redone
        ctx.activity.kept = not ctx.stack.redeploy_app(None)
        ctx.restored(IMAGE_KEY)
        return
    ctx.disrupted(IMAGE_KEY, lambda: ctx.stack.redeploy_app(None))
    if ctx.student_app:
        ctx.view.note(f"using your app from {ctx.student_app}")
        ctx.stack.redeploy_app(ctx.student_app)
        return
    with tempfile.TemporaryDirectory(prefix="monlab-improved-") as tmp:
        ctx.stack.redeploy_app(overlaid_app(Path(tmp), params["overlay"]))


def overlaid_app(target: Path, overlay: dict[str, Path]) -> Path:
    """A copy of the lecture's app with some files replaced."""
    app_dir = target / "app"
    shutil.copytree(app_source_dir(), app_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name, file in overlay.items():
        shutil.copyfile(file, app_dir / name)
    return app_dir


KIND = Kind(
    name="redeploy", summary="Rebuild and recreate only the app container: the lecture's app or an improved one.",
    required={"app": str}, optional={"overlay": dict}, parse=_parse, run=_run, describe=_describe,
    controls_containers=True, touches_app=True,
)
