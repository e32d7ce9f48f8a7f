"""The Docker backend's start retry, against a fake daemon (no Docker needed)."""

from __future__ import annotations

from typing import Any

import pytest

docker = pytest.importorskip("docker")

from autograder.sandbox.docker import _create_and_start  # noqa: E402

NEVER = "0001-01-01T00:00:00Z"


class FakeBox:
    def __init__(self, name: str, fail: str | None, started_at: str) -> None:
        self.name, self.fail, self.removed = name, fail, False
        self.attrs: dict[str, Any] = {"State": {"Running": False, "StartedAt": NEVER}}
        self._started_at = started_at

    @property
    def status(self) -> str:
        return "running" if self.attrs["State"]["Running"] else "created"

    def start(self) -> None:
        if self.fail == "never-started":
            raise docker.errors.APIError("cannot start a stopped process: unknown")
        self.attrs["State"] = {"Running": True, "StartedAt": self._started_at}
        if self.fail == "started-anyway":
            raise docker.errors.APIError("cannot start an already running container")

    def reload(self) -> None:
        pass

    def kill(self) -> None:
        pass

    def remove(self, **_: Any) -> None:
        self.removed = True


class FakeClient:
    def __init__(self, failures: list[str | None]) -> None:
        self.failures, self.boxes = list(failures), []
        self.containers = self

    def create(self, image: str, name: str, **_: Any) -> FakeBox:
        box = FakeBox(name, self.failures.pop(0), "2026-11-26T10:00:00Z")
        self.boxes.append(box)
        return box


def test_a_container_that_never_started_is_made_afresh() -> None:
    client, made = FakeClient(["never-started", None]), []
    box, _ = _create_and_start(client, "img", "run", {}, made, attempts=3)
    first, second = client.boxes
    assert box is second and second.status == "running"
    assert first.removed and made == [second]


def test_a_start_error_on_a_started_container_is_not_retried() -> None:
    client, made = FakeClient(["started-anyway"]), []
    box, _ = _create_and_start(client, "img", "run", {}, made)
    assert box is client.boxes[0] and len(client.boxes) == 1 and made == [box]


def test_the_last_failure_is_raised() -> None:
    client, made = FakeClient(["never-started"] * 2), []
    with pytest.raises(docker.errors.APIError):
        _create_and_start(client, "img", "run", {}, made, attempts=2)
    assert len(client.boxes) == 2 and made == [client.boxes[1]]
