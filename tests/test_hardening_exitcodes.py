"""Issue 10, bullet 2: exit 3 for an environment problem whenever it happens (mid-lab included),
1 only for a check that ran and failed; a load that ends early is a failed check with its count."""

from __future__ import annotations

import pytest

from lab_fixtures import LocalStack, local_stack
from monlab.lab.results import LabResult, environment_failed, exit_code, failed, passed
from test_lab_kinds import custom, run


@pytest.mark.parametrize("checks, code", [
    ([[passed("a", "")]], 0),
    ([[passed("a", ""), failed("b", "wrong")]], 1),
    ([[environment_failed("the stack is up", "the app service is exited")]], 3),
    ([[failed("b", "wrong")], [passed("a", ""), environment_failed("s", "Prometheus does not answer")]], 3),
    ([[]], 1),
    ([], 1),
])
def test_exit_code_table(checks, code):
    assert exit_code([LabResult(f"l{i}", list(c)) for i, c in enumerate(checks)]) == code


class VanishingPrometheus(LocalStack):
    """Stopping the app also kills Prometheus: the environment fails mid-section."""

    prometheus_process = None

    def stop_service(self, service: str) -> None:
        super().stop_service(service)
        self.prometheus_process.kill()
        self.prometheus_process.wait()


@pytest.mark.prometheus
def test_prometheus_vanishing_mid_lab_is_exit_3_and_cuts_the_background_load_short(prometheus_binary, tmp_path):
    (tmp_path / "stack").mkdir()
    with local_stack(prometheus_binary, tmp_path / "stack") as stack:
        stack.__class__ = VanishingPrometheus
        stack.prometheus_process = _prometheus_process(stack)
        result, out = run(stack, custom(tmp_path, "business", """\
            - mark: before
            - load: {path: /, rate: 20, duration: 30, background: true}
            - stop: app
            - record: {figure: revenue_total, panel: revenue-total}
            """))
    assert exit_code([result]) == 3, [(c.name, c.detail) for c in result.checks]
    [early] = [c for c in result.checks if "ended early" in c.detail]
    assert early.failed and "of 600 planned requests" in early.detail
    assert stack.actions[-1] == "start app"  # the disruption was still undone


def _prometheus_process(stack):
    return stack.prometheus_api.process


@pytest.mark.prometheus
def test_a_stopped_stack_before_any_step_is_an_environment_problem(tmp_path):
    from test_lab_kinds import shipped

    result, _ = run(LocalStack(tmp_path), shipped("business"))
    assert exit_code([result]) == 3
