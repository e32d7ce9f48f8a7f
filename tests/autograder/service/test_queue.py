"""The job table's leases, attempts and ownership; tokens; durable uploads (no server)."""

import time

import pytest

from autograder.service.auth import (
    InstructorKey,
    RosterError,
    issue_token,
    read_roster,
    student_for,
)
from autograder.service.db import Database, SubmissionRow, Token
from autograder.service.queue import SqlJobQueue
from autograder.service.storage import UploadStore


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'service.db'}")
    yield database
    database.close()


def add_submission(db: Database, queue: SqlJobQueue, sid: str) -> None:
    with db.session() as s, s.begin():
        s.add(SubmissionRow(id=sid, student="a", kind="notebook", notebook="q1_softmax",
                            stored_as=f"{sid}.ipynb", size=1, created_at=time.time()))
        s.flush()
        queue.add_in(s, sid)


def test_claim_finish_and_no_double_claim(db):
    queue = SqlJobQueue(db, lease_seconds=60, max_attempts=3)
    add_submission(db, queue, "1" * 32)
    claim = queue.claim("w1")
    assert claim is not None and claim.attempt == 1
    assert queue.claim("w2") is None  # leased
    assert queue.renew(claim, "w1") and not queue.renew(claim, "w2")
    assert queue.finish(claim, "w1", "{}", 1.0, 2.0)
    assert queue.counts() == {"done": 1}


def test_expired_lease_is_claimed_again_and_the_old_worker_cannot_finish(db):
    queue = SqlJobQueue(db, lease_seconds=0.2, max_attempts=3)
    add_submission(db, queue, "2" * 32)
    old = queue.claim("dead")
    time.sleep(0.3)
    new = queue.claim("alive")
    assert new is not None and new.attempt == 2
    assert not queue.finish(old, "dead", "{}", 0.0, 1.0)
    assert queue.finish(new, "alive", "{}", 1.0, 1.0)


def test_a_job_that_kills_its_workers_is_failed_after_max_attempts(db):
    queue = SqlJobQueue(db, lease_seconds=0.1, max_attempts=2)
    add_submission(db, queue, "3" * 32)
    assert queue.claim("w").attempt == 1
    time.sleep(0.15)
    assert queue.claim("w").attempt == 2
    time.sleep(0.15)
    assert queue.claim("w") is None
    assert queue.counts() == {"failed": 1}
    assert queue.requeue("3" * 32) and queue.claim("w").attempt == 1


def test_tokens_are_stored_hashed_and_checked(db):
    token = issue_token(db, "alice")
    assert student_for(db, token) == "alice"
    assert student_for(db, token + "x") is None
    assert student_for(db, "nothing") is None
    with db.session() as s:
        row = s.query(Token).one()
    assert token.split(".", 1)[1] not in (row.digest, row.salt)
    again = issue_token(db, "alice")
    assert student_for(db, token) is None and student_for(db, again) == "alice"
    key = InstructorKey("secret")
    assert key.matches("secret") and not key.matches("secreT")
    assert not InstructorKey(None).matches("")


def test_roster_is_validated(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,student\nA,alice\nB,bob\nA,alice\n,\n")
    assert read_roster(roster) == ["alice", "bob"]
    roster.write_text("student\n../evil\n")
    with pytest.raises(RosterError):
        read_roster(roster)
    roster.write_text("who\nalice\n")
    with pytest.raises(RosterError, match="student"):
        read_roster(roster)


def test_uploads_are_written_whole_under_server_names(tmp_path):
    store = UploadStore(tmp_path / "uploads")
    name = store.save("a" * 32, "notebook", b"{}")
    assert name == "a" * 32 + ".ipynb" and store.read(name) == b"{}"
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [name]
    with pytest.raises(ValueError):
        store.save("../x", "notebook", b"{}")
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_a_worker_shutting_down_gives_its_job_back_without_using_an_attempt(db, tmp_path):
    import threading

    from autograder.service.settings import ServiceSettings
    from autograder.service.worker import Worker

    queue = SqlJobQueue(db, lease_seconds=600, max_attempts=3)
    add_submission(db, queue, "9" * 32)
    worker = Worker("w1", ServiceSettings(data_dir=tmp_path), db, queue, engine=None,
                    stop=threading.Event())
    worker.current = queue.claim("w1")  # as while grading
    worker.release()
    assert queue.counts() == {"queued": 1}
    again = queue.claim("w2")  # at once, not after the 600 s lease
    assert again is not None and again.attempt == 1
    worker.release()  # nothing held any more: no effect
    assert queue.counts() == {"running": 1}


def test_a_job_put_back_after_a_sandbox_fault_uses_its_attempts(db):
    queue = SqlJobQueue(db, lease_seconds=600, max_attempts=2)
    add_submission(db, queue, "8" * 32)
    for _ in range(2):
        claim = queue.claim("w")
        assert queue.release(claim, "w", count_attempt=True)
    assert queue.claim("w") is None  # two faults: failed for the staff, not retried forever
    assert queue.counts() == {"failed": 1}


def add_for(db: Database, queue: SqlJobQueue, sid: str, student: str, at: float) -> None:
    with db.session() as s, s.begin():
        s.add(SubmissionRow(id=sid, student=student, kind="zip", notebook=None,
                            stored_as=f"{sid}.zip", size=1, created_at=at))
        s.flush()
        queue.add_in(s, sid)


def student_of(db: Database, claim) -> str:
    with db.session() as s:
        return s.get(SubmissionRow, claim.submission_id).student


def test_one_student_s_burst_holds_one_worker_and_the_others_go_first(db):
    queue = SqlJobQueue(db, lease_seconds=600, max_attempts=3, per_student=1)
    t = time.time()
    for i in range(5):
        add_for(db, queue, f"alice{i}", "alice", t + i / 1000)
    add_for(db, queue, "bob0", "bob", t + 1)
    add_for(db, queue, "carol0", "carol", t + 2)
    first, second, third = (queue.claim(w) for w in ("w1", "w2", "w3"))
    assert [first.submission_id, second.submission_id, third.submission_id] == [
        "alice0", "bob0", "carol0"]
    assert queue.claim("w4") is None  # alice's next waits for her first to end
    assert queue.finish(first, "w1", "{}", 1.0, 1.0)
    assert queue.claim("w1").submission_id == "alice1"


def test_students_take_turns_when_they_may_have_several_in_flight(db):
    queue = SqlJobQueue(db, lease_seconds=600, max_attempts=3, per_student=3)
    t = time.time() - 10
    for i in range(3):
        add_for(db, queue, f"alice{i}", "alice", t + i / 1000)
    for i in range(3):
        add_for(db, queue, f"bob{i}", "bob", t + 1 + i / 1000)
    order = []
    for _ in range(6):
        order.append(queue.claim("w").submission_id)
        time.sleep(0.002)  # claims a moment apart, as workers make them
    assert order == ["alice0", "bob0", "alice1", "bob1", "alice2", "bob2"]


def test_a_dead_worker_s_job_does_not_count_against_its_student(db):
    queue = SqlJobQueue(db, lease_seconds=0.1, max_attempts=3, per_student=1)
    t = time.time()
    add_for(db, queue, "alice0", "alice", t)
    add_for(db, queue, "alice1", "alice", t + 0.001)
    assert queue.claim("dead").submission_id == "alice0"
    assert queue.claim("w") is None
    time.sleep(0.15)  # its lease expired: alice has nothing in flight
    assert queue.claim("w").submission_id == "alice0"
