"""The demo from start to finish: server, onboarding, two requests, the report."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from numrep.demo import plan as demo_plan
from numrep.demo.client import DemoApi
from numrep.demo.errors import DemoError
from numrep.demo.progress import Progress, RequestView, make_progress
from numrep.demo.receiver import Delivery, WebhookReceiver, load_public_key
from numrep.demo.report import COMPLETED_EVENT, find_problems, print_report
from numrep.demo.server import EmbeddedServer, demo_settings, write_scenario

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
POLL_INTERVAL_SECONDS = 0.25
# Real seconds each wait may take beyond its scaled simulated time, for a busy machine.
BASE_TIMEOUT_SECONDS = 60.0
WEBHOOK_WAIT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class DemoOptions:
    time_scale: float
    timeout_seconds: float | None
    keep: bool

    def wait_timeout(self, simulated_seconds: float) -> float:
        """Return the real seconds a wait may take before the demo fails.

        The default allows twice the simulated time, scaled, plus a margin for
        a busy machine.
        """
        if self.timeout_seconds is not None:
            return self.timeout_seconds
        return BASE_TIMEOUT_SECONDS + 2 * simulated_seconds * self.time_scale

    def request_timeout(self) -> float:
        minutes = demo_plan.TIER1_DELAY_MINUTES + demo_plan.TIER2_DELAY_MINUTES
        return self.wait_timeout(minutes * 60)


@dataclass(slots=True)
class RequestRun:
    """One remediation request of the demo, as it is submitted and followed."""

    label: str
    body: dict[str, Any]
    second_batch: bool
    request: dict[str, Any] | None = None
    numbers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        return "" if self.request is None else str(self.request["id"])


def run_demo(options: DemoOptions, console: Console) -> int:
    """Run the demo and return the exit code: 0 when every check passed."""
    root = Path(tempfile.mkdtemp(prefix="numrep-demo-"))
    try:
        with contextlib.ExitStack() as stack:
            return _run(root, options, console, stack)
    except DemoError as error:
        console.print(f"numrep demo failed: {error}", style="bold red", highlight=False)
        return 1
    finally:
        if options.keep:
            console.print(f"Kept the demo's files in {root}", highlight=False)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _run(
    root: Path, options: DemoOptions, console: Console, stack: contextlib.ExitStack
) -> int:
    plan = demo_plan.build_plan()
    progress = make_progress(console)
    stack.callback(progress.close)
    api, enterprise_id = _start_and_onboard(root, plan, options, progress, stack)
    receiver = WebhookReceiver(load_public_key(api.signing_public_key()))
    receiver.start()
    stack.callback(receiver.stop)
    progress.step(f"Receiving signed webhooks at {receiver.url}")

    runs = [
        RequestRun("1 example", demo_plan.first_request_body(receiver.url), False),
        RequestRun(
            "2 every bucket",
            demo_plan.second_request_body(plan, receiver.url),
            True,
        ),
    ]
    progress.show(_views(runs, []))
    for run in runs:
        progress.step(f"Submitting request {run.label}")
        run.request = api.submit(enterprise_id, run.body)
        _follow(api, enterprise_id, run, runs, receiver, progress, options, plan)
    progress.step("Waiting for the completion webhooks")
    _wait_for_webhooks(runs, receiver, progress)
    for run in runs:
        run.numbers = api.request_numbers(enterprise_id, run.request_id)
    deliveries = receiver.received()
    progress.close()

    problems = find_problems(plan, runs, deliveries)
    print_report(console, plan, runs, deliveries, problems)
    return 1 if problems else 0


def _start_and_onboard(
    root: Path,
    plan: demo_plan.DemoPlan,
    options: DemoOptions,
    progress: Progress,
    stack: contextlib.ExitStack,
) -> tuple[DemoApi, str]:
    """Start the embedded server and onboard an enterprise with the plan's numbers.

    Returns the API client and the enterprise id.
    """
    scenario_file = write_scenario(root, demo_plan.scenario(plan))
    settings = demo_settings(
        root, time_scale=options.time_scale, scenario_file=scenario_file
    )
    server = EmbeddedServer(settings)
    stack.callback(server.stop)
    progress.step(f"Starting numrep on {server.base_url} (data in {root})")
    account = server.prepare()
    server.start()
    api = DemoApi(server.base_url, account)
    stack.callback(api.close)

    progress.step(
        f"Onboarding an enterprise and registering {len(plan.registered)} numbers"
    )
    vetting_timeout = options.wait_timeout(settings.reputation_vetting_delay_seconds)
    enterprise_id = api.onboard(plan.registered, vetting_timeout=vetting_timeout)
    return api, enterprise_id


def _follow(
    api: DemoApi,
    enterprise_id: str,
    run: RequestRun,
    runs: list[RequestRun],
    receiver: WebhookReceiver,
    progress: Progress,
    options: DemoOptions,
    plan: demo_plan.DemoPlan,
) -> None:
    """Poll one request until its status is terminal, updating the display.

    Tier-2 cases that wait for an operator are decided as the plan specifies.
    """
    timeout = options.request_timeout()
    deadline = time.monotonic() + timeout
    while True:
        run.request = api.get_request(enterprise_id, run.request_id)
        progress.show(_views(runs, receiver.received()))
        if run.request["status"] in TERMINAL_STATUSES:
            return
        if run.request["tier1_completed_at"] is not None:
            _decide_operator_cases(api, enterprise_id, run, plan, progress)
        if time.monotonic() > deadline:
            raise DemoError(
                f"Request {run.label} ({run.request_id}) was still "
                f"{run.request['status']} after {timeout:.0f} s. Run again with a "
                "larger --timeout or a smaller --time-scale."
            )
        time.sleep(POLL_INTERVAL_SECONDS)


def _decide_operator_cases(
    api: DemoApi,
    enterprise_id: str,
    run: RequestRun,
    plan: demo_plan.DemoPlan,
    progress: Progress,
) -> None:
    """Record the plan's decision on each open operator case of the request."""
    by_decision: dict[str, list[dict[str, Any]]] = {}
    for case in api.open_review_cases(enterprise_id, run.request_id):
        decision = plan.paths[case["phone_number"]].operator_decision
        if decision is None:
            raise DemoError(
                f"Request {run.label} opened an operator case for "
                f"{case['phone_number']} at {case['network']}, which the "
                "scenario does not lead to an operator."
            )
        by_decision.setdefault(decision, []).append(case)
    for decision, cases in by_decision.items():
        networks = ", ".join(sorted({case["network"] for case in cases}))
        progress.step(
            f"Operator decides {len(cases)} tier-2 cases at {networks}: {decision}"
        )
        api.decide_review_cases(
            [case["id"] for case in cases],
            decision=decision,
            note="Decided by numrep demo as its scenario plans.",
        )


def _wait_for_webhooks(
    runs: list[RequestRun], receiver: WebhookReceiver, progress: Progress
) -> None:
    """Wait until each request's completion event arrived, or the wait ends.

    A missing event is not raised here: the report lists it as a problem.
    """
    deadline = time.monotonic() + WEBHOOK_WAIT_SECONDS
    expected_ids = {run.request_id for run in runs}
    while time.monotonic() < deadline:
        deliveries = receiver.received()
        progress.show(_views(runs, deliveries))
        completed = {
            delivery.request_id
            for delivery in deliveries
            if delivery.event_type == COMPLETED_EVENT and delivery.verified
        }
        if expected_ids <= completed:
            return
        time.sleep(POLL_INTERVAL_SECONDS)


def _views(runs: list[RequestRun], deliveries: list[Delivery]) -> list[RequestView]:
    return [
        RequestView(
            label=run.label,
            request=run.request,
            webhooks=sum(1 for item in deliveries if item.request_id == run.request_id),
        )
        for run in runs
    ]
