"""Student ids the gradebook accepts (nbgrader uses them as folder names and CSV fields)."""

import pytest

from autograder.report import GradebookError, check_student_id


def test_check_student_id():
    assert check_student_id("alice.smith+cs224n@stanford-1") == "alice.smith+cs224n@stanford-1"
    assert check_student_id("Zoë") == "Zoë"
    for bad in ["", "a b", "a\nb", "=1+1", "@x", "+x", "a,b", 'a"b', "a/b", None, "x" * 129]:
        with pytest.raises(GradebookError):
            check_student_id(bad)


def test_unopenable_gradebook_hides_the_password():
    from autograder.report import sync_gradebook

    with pytest.raises(GradebookError, match="cannot open the gradebook") as info:
        sync_gradebook([], "nosuchdialect://grader:s3cret@db.invalid/grades")
    assert "s3cret" not in str(info.value)
