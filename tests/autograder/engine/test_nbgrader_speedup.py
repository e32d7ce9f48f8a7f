"""The cached metadata validation gives nbgrader the same verdicts as jsonschema.validate."""

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.engine import nbgrader_speedup

VALID = {"grade": True, "solution": False, "locked": True, "points": 5,
         "grade_id": "q1_softmax_hidden", "schema_version": 3, "task": False}
INVALID = [
    {**VALID, "points": "five"},
    {**VALID, "grade_id": 7},
    {k: v for k, v in VALID.items() if k != "locked"},
]


def test_valid_metadata_passes_and_invalid_fails_with_the_same_error():
    schema = MetadataValidator().schema
    nbgrader_speedup.install()
    nbgrader_speedup.install()  # idempotent
    from nbgrader.nbgraderformat import common

    cached = common.jsonschema
    assert isinstance(cached, nbgrader_speedup._CachedValidation)
    cached.validate(VALID, schema)
    for metadata in INVALID:
        with pytest.raises(jsonschema.ValidationError) as plain:
            jsonschema.validate(metadata, schema)
        with pytest.raises(jsonschema.ValidationError) as fast:
            cached.validate(metadata, schema)
        assert fast.value.message == plain.value.message
        assert list(fast.value.path) == list(plain.value.path)


def test_nbgrader_still_rejects_a_cell_with_bad_metadata():
    from nbformat.v4 import new_code_cell

    nbgrader_speedup.install()
    cell = new_code_cell("x = 1", metadata={"nbgrader": {**VALID, "points": "five"}})
    with pytest.raises(jsonschema.ValidationError):
        MetadataValidator().validate_cell(cell)
