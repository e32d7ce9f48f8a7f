"""The data-only channel: round trips, and every malformed or oversized message (as a sandbox
could write it) is a WireError, found before any large allocation."""

from __future__ import annotations

import bz2
import io
import json
import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npy_format

from autograder.kernel import wire
from autograder.kernel.probe import Call, Outcome, Ref

MiB = 2**20


def sample_calls() -> list[Call]:
    rng = np.random.default_rng(0)
    return [
        Call("softmax", (rng.normal(size=(3, 4)),), seeds=(1, 2)),
        Call("gradcheck_naive", (Ref("object", "objective", (rng.normal(size=3), 0.5)),
                                 np.arange(3.0)), {"h": 1e-4, "tags": {"a": [1, 2]}},
             isolate=("softmax",), cast="bool", strict_warnings=True, echo=(1,)),
    ]


def test_calls_and_outcomes_round_trip(tmp_path):
    calls = sample_calls()
    wire.write_calls(tmp_path / "calls.json", calls)
    back = wire.read_calls(tmp_path / "calls.json")
    assert [c.function for c in back] == ["softmax", "gradcheck_naive"]
    np.testing.assert_array_equal(back[0].args[0], calls[0].args[0])
    assert back[0].seeds == (1, 2) and back[1].seeds is None
    assert back[1].args[0].kind == "object" and back[1].args[0].name == "objective"
    assert back[1].kwargs == {"h": 1e-4, "tags": {"a": [1, 2]}}
    assert (back[1].isolate, back[1].cast, back[1].strict_warnings, back[1].echo) \
        == (("softmax",), "bool", True, (1,))
    back[0].args[0][0, 0] = 7.0  # functions under test may change their inputs in place

    outcomes = [Outcome(value=(np.eye(2), [1, 2.5, None], {"k": True})),
                Outcome(error="ValueError: no")]
    wire.write_outcomes(tmp_path / "out.json", outcomes)
    got = wire.read_outcomes(tmp_path / "out.json", 2)
    np.testing.assert_array_equal(got[0].value[0], np.eye(2))
    assert got[0].value[1:] == ([1, 2.5, None], {"k": True})
    assert got[1].error == "ValueError: no" and got[1].value is None


def test_encoded_calls_are_the_bytes_write_calls_writes(tmp_path):
    """The grader encodes a notebook's calls once and writes the bytes into every job."""
    calls = sample_calls()
    wire.write_calls(tmp_path / "a.json", calls)
    encoded = wire.encode_calls(calls)
    for i in range(2):
        wire.write_encoded(tmp_path / f"b{i}.json", encoded)
        assert (tmp_path / f"b{i}.json").read_bytes() == (tmp_path / "a.json").read_bytes()
        assert (tmp_path / f"b{i}.json.npz").read_bytes() == \
            (tmp_path / "a.json.npz").read_bytes()
    back = wire.read_calls(tmp_path / "b1.json")
    np.testing.assert_array_equal(back[0].args[0], calls[0].args[0])
    assert [c.function for c in back] == ["softmax", "gradcheck_naive"]


# ---------------------------------------------------------------- arrays: bombs and lies


@pytest.mark.parametrize("array", [
    np.zeros((3, 4)), np.arange(5), np.array(2.5), np.ones((2, 0, 3), dtype=np.int32),
    np.array([True, False]), np.zeros((2, 3), order="F"), np.zeros(4, dtype=np.complex128),
    np.zeros(3, dtype=np.uint8), np.zeros((1, 1, 1, 1), dtype=">f4"), np.int64(7),
])
def test_plain_headers_parse_as_numpy_parses_them(array):
    """The fast reading of numpy's usual header gives what numpy's own parser gives."""
    raw = io.BytesIO()
    npy_format.write_array(raw, np.asarray(array))
    stream = io.BytesIO(raw.getvalue())
    npy_format.read_magic(stream)
    expected = npy_format.read_array_header_1_0(stream)
    length = struct.unpack("<H", raw.getvalue()[8:10])[0]
    assert wire._plain_header(raw.getvalue()[10:10 + length]) == expected


@pytest.mark.parametrize("header", [
    b"{'descr': '|O', 'fortran_order': False, 'shape': (3,), }\n",  # objects: numpy decides
    b"{'descr': '<U5', 'fortran_order': False, 'shape': (3,), }\n",
    b"{'shape': (3,), 'descr': '<f8', 'fortran_order': False, }\n",  # another order
    b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1, }\n",
    b"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }\n",
    b"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }\n",
])
def test_other_headers_go_to_numpy_s_parser(header):
    assert wire._plain_header(header) is None


def _npy_header(shape: tuple, descr: str = "<f8", version: tuple = (1, 0)) -> bytes:
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    if version == (1, 0):
        npy_format.write_array_header_1_0(buf, header)
    else:
        npy_format.write_array_header_2_0(buf, header)
    return buf.getvalue()


def _message(tmp_path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED,
             tree=None) -> Path:
    path = tmp_path / "outcomes.json"
    with zipfile.ZipFile(tmp_path / "outcomes.json.npz", "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    path.write_text(json.dumps(tree if tree is not None
                               else [{"value": {"$a": "a0"}, "error": None}]))
    return path


def _bomb(tmp_path: Path, megabytes: int) -> Path:
    """An .npz whose one float array inflates to `megabytes` MiB (deflate, about 1000:1)."""
    n = megabytes * MiB // 8
    path = tmp_path / "outcomes.json"
    with zipfile.ZipFile(tmp_path / "outcomes.json.npz", "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("a0.npy", "w", force_zip64=True) as f:
            f.write(_npy_header((n,)))
            chunk = bytes(4 * MiB)
            for _ in range(n * 8 // len(chunk)):
                f.write(chunk)
    path.write_text(json.dumps([{"value": {"$a": "a0"}, "error": None}]))
    return path


def _peak_while(function) -> int:
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_compressed_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = _bomb(tmp_path, 256)
    assert (tmp_path / "outcomes.json.npz").stat().st_size < MiB

    def read():
        with pytest.raises(wire.WireError, match="too large"):
            wire.read_outcomes(path, 1)

    assert _peak_while(read) < 8 * MiB  # np.load inflated all 256 MiB first


def test_arrays_under_the_limit_one_by_one_but_not_in_total(tmp_path):
    each = wire.MAX_ARRAY_BYTES // 8 // 2 + 1  # float64s: just over half the limit each
    data = _npy_header((each,)) + bytes(each * 8)
    path = _message(tmp_path, {"a0.npy": data, "a1.npy": data}, zipfile.ZIP_DEFLATED)

    def read():
        with pytest.raises(wire.WireError, match="too large"):
            wire.read_outcomes(path, 1)

    del data
    assert _peak_while(read) < 40 * MiB  # the first array, never the second


@pytest.mark.parametrize("lie", ["short", "long", "trailing"])
def test_a_header_that_does_not_match_the_member_is_refused(tmp_path, lie):
    header = _npy_header((4,))
    data = {"short": header + bytes(16), "long": _npy_header((10**9,)) + bytes(32),
            "trailing": header + bytes(32) + b"junk"}[lie]
    with pytest.raises(wire.WireError):
        wire.read_outcomes(_message(tmp_path, {"a0.npy": data}), 1)


def test_a_huge_header_length_is_refused_without_reading_it(tmp_path):
    data = npy_format.MAGIC_PREFIX + b"\x02\x00" + struct.pack("<I", 2**31) + b"{}"
    with pytest.raises(wire.WireError, match="header too large"):
        wire.read_outcomes(_message(tmp_path, {"a0.npy": data}), 1)


def test_bzip2_members_are_refused(tmp_path):
    """zipfile inflates a bzip2 chunk without an output bound: a bomb by another name."""
    data = _npy_header((4,)) + bytes(32)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("a0.npy", data)
    assert bz2  # the method zipfile uses
    (tmp_path / "outcomes.json.npz").write_bytes(buf.getvalue())
    (tmp_path / "outcomes.json").write_text('[{"value": {"$a": "a0"}, "error": null}]')
    with pytest.raises(wire.WireError, match="unsupported method"):
        wire.read_outcomes(tmp_path / "outcomes.json", 1)


def test_too_many_members_are_refused_before_the_directory_is_parsed(tmp_path):
    members = {f"a{i}.npy": b"" for i in range(wire.MAX_ARRAYS + 1)}
    with pytest.raises(wire.WireError, match="more than"):
        wire.read_outcomes(_message(tmp_path, members), 1)


@pytest.mark.parametrize("array", [
    np.array([object(), 1], dtype=object),
    np.array(["text"]),
    np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]),
    np.zeros(2, dtype=complex),
    np.zeros(2, dtype="datetime64[s]"),
], ids=["object", "unicode", "structured", "complex", "datetime"])
def test_arrays_that_are_not_plain_numbers_are_refused(tmp_path, array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    with pytest.raises(wire.WireError, match="refused|unreadable"):
        wire.read_outcomes(_message(tmp_path, {"a0.npy": buf.getvalue()}), 1)


def test_compressed_and_fortran_arrays_written_by_numpy_are_read(tmp_path):
    a = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    np.savez_compressed(tmp_path / "m.json.npz", a0=a, a1=np.array([True, False]))
    (tmp_path / "m.json").write_text("[]")
    _, arrays = wire.read_message(tmp_path / "m.json")
    np.testing.assert_array_equal(arrays["a0"], a)
    assert arrays["a1"].dtype == bool


def test_links_and_oversized_json_are_refused(tmp_path):
    wire.write_outcomes(tmp_path / "real.json", [Outcome(value=1)])
    (tmp_path / "out.json").symlink_to(tmp_path / "real.json")
    (tmp_path / "out.json.npz").symlink_to(tmp_path / "real.json.npz")
    with pytest.raises(wire.WireError, match="missing"):
        wire.read_outcomes(tmp_path / "out.json", 1)
    (tmp_path / "big.json").write_text(" " * (wire.MAX_JSON_BYTES + 1))
    (tmp_path / "big.json.npz").write_bytes((tmp_path / "real.json.npz").read_bytes())
    with pytest.raises(wire.WireError, match="larger"):
        wire.read_outcomes(tmp_path / "big.json", 1)


# ---------------------------------------------------------------- malformed trees


@pytest.mark.parametrize("value", [
    {"$r": ["function", "f", 5]},  # an integer where the arguments' list belongs
    {"$r": ["object", "f", [1, 2]]},  # a list where a tuple belongs
    {"$r": [1, "f", {"$t": []}]},
    {"$d": [[1, 2]]},
    {"$d": [["k"]]},
    {"$d": "k"},
    {"$t": 3},
    {"$a": 3},
    {"$a": "nope"},
    {"$x": 1},
    {"$a": "a0", "$t": []},
    2**70,
    json.loads("[" * 40 + "0" + "]" * 40),
])
def test_malformed_values_are_wire_errors(tmp_path, value):
    buf = io.BytesIO()
    np.save(buf, np.zeros(1))
    path = _message(tmp_path, {"a0.npy": buf.getvalue()}, tree=[{"value": value, "error": None}])
    with pytest.raises(wire.WireError):
        wire.read_outcomes(path, 1)


def _valid_call_tree():
    return wire.calls_message(sample_calls())


@pytest.mark.parametrize("key, junk", [
    ("seeds", 5), ("seeds", [1]), ("seeds", ["1", 2]), ("seeds", [1.5, 2]), ("seeds", [True, 2]),
    ("args", 5), ("args", [1, 2]), ("kwargs", [["a", 1]]), ("kwargs", 3),
    ("isolate", "softmax"), ("isolate", [1]), ("echo", 1), ("echo", ["0"]),
    ("function", 3), ("cast", 1), ("strict_warnings", "yes"),
])
def test_malformed_calls_are_wire_errors(tmp_path, key, junk):
    wire.write_calls(tmp_path / "calls.json", sample_calls())
    tree = json.loads((tmp_path / "calls.json").read_text())
    tree[1][key] = junk
    (tmp_path / "calls.json").write_text(json.dumps(tree))
    with pytest.raises(wire.WireError):
        wire.read_calls(tmp_path / "calls.json")


def test_calls_and_outcomes_of_the_wrong_shape_are_wire_errors():
    arrays = {"a0": np.zeros(1)}
    for tree in (None, 3, {"a": 1}, [1], [[]], [{"value": 1}],
                 [{"value": 1, "error": 3}], [{"value": 1, "error": None, "x": 1}]):
        with pytest.raises(wire.WireError):
            wire.decode_outcomes(tree, arrays, 1)
    for tree in (None, 3, {"a": 1}, [1], [[]], [{"function": "f"}]):
        with pytest.raises(wire.WireError):
            wire.decode_calls(tree, arrays)


def _junk(rng: random.Random, depth: int = 0):
    choice = rng.randrange(12 if depth < 4 else 7)
    simple = [None, True, rng.randint(-3, 3), 2**80, 1.5, "$a", "a0"]
    if choice < 7:
        return simple[choice]
    if choice == 7:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    if choice == 8:
        return {rng.choice(["$a", "$t", "$d", "$r", "k"]): _junk(rng, depth + 1)}
    if choice == 9:
        return {"$r": [_junk(rng, depth + 1) for _ in range(rng.randrange(5))]}
    if choice == 10:
        return {"$d": [[_junk(rng, depth + 1), _junk(rng, depth + 1)]]}
    return {"$t": [_junk(rng, depth + 1)]}


def _mutate(tree, rng: random.Random):
    """tree with one randomly chosen node replaced by junk."""
    tree = json.loads(json.dumps(tree))
    nodes = [(None, None)]
    stack = [tree]
    while stack:
        node = stack.pop()
        keys = range(len(node)) if isinstance(node, list) else node.keys() \
            if isinstance(node, dict) else ()
        for k in keys:
            nodes.append((node, k))
            stack.append(node[k])
    parent, key = rng.choice(nodes)
    if parent is None:
        return _junk(rng)
    parent[key] = _junk(rng)
    return tree


def test_fuzzed_messages_raise_only_wire_errors():
    rng = random.Random(224)
    calls_tree, call_arrays = _valid_call_tree()
    outcome_tree = [{"value": {"$t": [{"$a": "a0"}, [1, {"$d": [["k", 2.0]]}]]}, "error": None},
                    {"value": None, "error": "ValueError: x"}]
    outcome_arrays = {"a0": np.zeros(2)}
    cases = [(calls_tree, lambda t: wire.decode_calls(t, call_arrays)),
             (outcome_tree, lambda t: wire.decode_outcomes(t, outcome_arrays, 2))]
    for _ in range(3000):
        for base, decode in cases:
            try:
                decode(_mutate(base, rng))
            except wire.WireError:
                pass


def test_fuzzed_npz_bytes_raise_only_wire_errors():
    rng = random.Random(7)
    buf = io.BytesIO()
    np.savez(buf, a0=np.arange(6.0).reshape(2, 3), a1=np.array([1, 2], dtype=np.int32))
    valid = buf.getvalue()
    for _ in range(3000):
        data = bytearray(valid)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            wire.read_arrays(bytes(data))
        except wire.WireError:
            pass
