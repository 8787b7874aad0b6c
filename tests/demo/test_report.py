"""The demo's checks on finished requests and received webhooks."""

from __future__ import annotations

from typing import Any

from numrep.demo import plan as demo_plan
from numrep.demo.receiver import Delivery
from numrep.demo.report import COMPLETED_EVENT, find_problems
from numrep.demo.run import RequestRun

PLAN = demo_plan.build_plan()


def finished(request_id: str, numbers: list[str], *, second: bool) -> dict[str, Any]:
    """Return a completed request whose numbers sit in their planned buckets."""
    results: dict[str, list[str]] = {bucket: [] for bucket in demo_plan.BUCKETS}
    for number in numbers:
        results[PLAN.expected_bucket(number, second_batch=second)].append(number)
    return {"id": request_id, "status": "completed", "results": results}


def passing_runs() -> list[RequestRun]:
    first = RequestRun(
        "1 example", demo_plan.first_request_body("http://127.0.0.1:1/"), False
    )
    second = RequestRun(
        "2 every bucket",
        demo_plan.second_request_body(PLAN, "http://127.0.0.1:1/"),
        True,
    )
    first.request = finished("r1", list(PLAN.first_batch), second=False)
    second.request = finished("r2", list(PLAN.second_batch), second=True)
    return [first, second]


def completed_delivery(request_id: str, *, verified: bool = True) -> Delivery:
    return Delivery(
        event_id=f"event-{request_id}",
        event_type=COMPLETED_EVENT,
        request_id=request_id,
        attempt=1,
        verified=verified,
        problem="" if verified else "signature does not match the public key",
    )


def test_problems_none_when_all_pass() -> None:
    deliveries = [completed_delivery("r1"), completed_delivery("r2")]

    assert find_problems(PLAN, passing_runs(), deliveries) == []


def test_problems_name_failed_request() -> None:
    runs = passing_runs()
    assert runs[1].request is not None
    runs[1].request["status"] = "failed"
    deliveries = [completed_delivery("r1"), completed_delivery("r2")]

    problems = find_problems(PLAN, runs, deliveries)

    assert "Request 2 every bucket ended as failed, not completed." in problems


def test_problems_name_missing_bucket() -> None:
    runs = passing_runs()
    assert runs[1].request is not None
    refused = runs[1].request["results"]["refused"]
    runs[1].request["results"]["requires_review"].extend(refused)
    runs[1].request["results"]["refused"] = []
    deliveries = [completed_delivery("r1"), completed_delivery("r2")]

    problems = find_problems(PLAN, runs, deliveries)

    assert "No number reached the bucket refused." in problems
    assert any(f"{refused[0]} reached requires_review" in item for item in problems)


def test_problems_name_unverified_webhook() -> None:
    deliveries = [completed_delivery("r1"), completed_delivery("r2", verified=False)]

    problems = find_problems(PLAN, passing_runs(), deliveries)

    assert any("failed verification" in item for item in problems)
    assert any(
        "No verified" in item and "request 2 every bucket" in item for item in problems
    )


def test_plan_reaches_every_bucket() -> None:
    expected = {
        PLAN.expected_bucket(number, second_batch=True) for number in PLAN.second_batch
    }

    assert expected == set(demo_plan.BUCKETS)
