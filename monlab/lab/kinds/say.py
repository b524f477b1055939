"""`say`: narration between steps (what the student should look at now)."""

from monlab.lab.kind import Kind


def _run(ctx, text: str) -> list:
    ctx.view.narrate(text)
    return []


KIND = Kind(
    name="say", summary="Print narration.", required={"text": str}, optional={},
    parse=lambda src: src.get("text").strip(), run=_run, describe=lambda text: "narration", shorthand="text",
)
