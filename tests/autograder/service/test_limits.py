"""The body limit's multipart scanner: the names and sizes of the files in an oversized form
post, fed in chunks of any size, never kept; hostile bodies yield what was seen."""

from __future__ import annotations

import pytest

from autograder.service.limits import PartSizes, too_large_message

BOUNDARY = "----b0und"
TYPE = f"multipart/form-data; boundary={BOUNDARY}".encode()


def body(files: list[tuple[str, int]]) -> bytes:
    parts = [f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
             .encode()]
    for name, size in files:
        parts.append(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                     f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                     .encode() + b"x" * size + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("step", [1, 7, 4096, 10**9])
def test_each_file_is_named_with_its_size_whatever_the_chunks(step):
    data = body([("q1_softmax (1).ipynb", 5000), ("q4_dev_conf.png", 123)])
    scanner = PartSizes(TYPE)
    for at in range(0, len(data), step):
        scanner.feed(data[at:at + step])
    assert scanner.files == [["q1_softmax (1).ipynb", 5000], ["q4_dev_conf.png", 123]]


@pytest.mark.parametrize("content_type, data", [
    (b"application/json", b'{"a": 1}'),
    (TYPE, b"garbage without a boundary" * 100),
    (TYPE, f"--{BOUNDARY}\r\n".encode() + b"X" * 100_000),  # a header that never ends
    (b"multipart/form-data", body([("a.ipynb", 10)])),  # no boundary given
])
def test_a_body_that_is_not_well_formed_multipart_yields_what_was_seen(content_type, data):
    scanner = PartSizes(content_type)
    scanner.feed(data)
    assert scanner.files == []


def test_the_message_names_the_biggest_files_and_says_what_to_do():
    files = [[f"f{i}.png", i * 2**20] for i in range(12)]
    message = too_large_message(20 * 2**20, files, complete=False)
    assert message.startswith("This upload is larger than 20.0 MiB")
    assert "f11.png (over 11.0 MiB)" in message and "f0.png" not in message
    assert "Upload the notebooks one at a time" in message
    assert "(1.0 MiB)" in too_large_message(2**19, [["q.ipynb", 2**20]], complete=True)
