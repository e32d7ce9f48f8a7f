"""The data-only channel between the grader and the sandbox: JSON plus one .npz of arrays.

Both directions use the same encoding. Arrays travel in an .npz; everything else is JSON
with a few tagged forms:

    {"$a": "a3"}               the array named a3 in the .npz
    {"$t": [...]}              a tuple
    {"$d": [[key, value]...]}  a dict with string keys
    {"$r": [kind, name, {"$t": args}]}  a probe.Ref

Decoding is strict and bounded, because the sandbox writes what the grader reads:

* every malformed tree (a wrong type anywhere, an unknown tag, a non-int seed, an integer
  where a list belongs, an integer beyond 64 bits...) is a WireError, never another
  exception: the caller turns it into that notebook's error;
* the .npz is read member by member with zipfile, never with np.load: the zip directory's
  size and entry count are checked before it is parsed, each array's .npy header (shape,
  dtype) is parsed from a few bounded bytes, object, string and structured dtypes are
  refused, and shape x itemsize must equal the member's declared size and keep the running
  total under MAX_ARRAY_BYTES *before* any data is read; the data is then read through the
  zip's bounded stream into a buffer of exactly that size (a compressed bomb can never make
  more than was declared and accepted).
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.lib import format as npy_format

from .atomic import write_atomic, write_json
from .probe import Call, Outcome, Ref

P = ParamSpec("P")
R = TypeVar("R")

MAX_JSON_BYTES = 16 * 1024**2
MAX_ARRAY_BYTES = 64 * 1024**2
"""Largest .npz file, and largest total of the arrays' data once read."""
MAX_DEPTH = 16
MAX_ARRAYS = 4096
MAX_NDIM = 32
MAX_HEADER_BYTES = 4096
"""Largest .npy header read (numpy writes about 128 bytes)."""
_DIRECTORY_ENTRY_BYTES = 256
"""Generous size of one zip directory entry of a numpy member (name, zip64 extra)."""
ALLOWED_KINDS = set("biuf")  # bool, int, unsigned, float: never object, string or void
_INT_RANGE = (-(2**63), 2**64)  # what numpy's integer types hold


class WireError(ValueError):
    """A message on the channel is malformed or too large."""


_DECODE_FAULTS = (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError,
                  OverflowError, EOFError, OSError, NotImplementedError, RuntimeError,
                  struct.error, zipfile.BadZipFile)


def _wire_errors_only(function: Callable[P, R]) -> Callable[P, R]:
    """The readers below check every form explicitly; this is the last line: whatever a
    malformed message still trips on becomes a WireError, which costs only its notebook."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except WireError:
            raise
        except _DECODE_FAULTS as exc:
            raise WireError(f"malformed message ({type(exc).__name__})") from None

    return guarded


# ---------------------------------------------------------------- values


def encode_value(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    """JSON-able form of value; arrays are added to `arrays` and referenced by name."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"$a": name}
    if isinstance(value, Ref):
        return {"$r": [value.kind, value.name, encode_value(tuple(value.args), arrays)]}
    if isinstance(value, tuple):
        return {"$t": [encode_value(v, arrays) for v in value]}
    if isinstance(value, list):
        return [encode_value(v, arrays) for v in value]
    if isinstance(value, dict):
        return {"$d": [[str(k), encode_value(v, arrays)] for k, v in value.items()]}
    raise WireError(f"cannot send a {type(value).__name__}")


def decode_value(tree: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """The value a tree stands for; WireError on anything that is not one of the forms."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if tree is None or isinstance(tree, (bool, str, float)):
        return tree
    if isinstance(tree, int):
        if not _INT_RANGE[0] <= tree < _INT_RANGE[1]:
            raise WireError("integer out of range")
        return tree
    if isinstance(tree, list):
        return [decode_value(v, arrays, depth + 1) for v in tree]
    if isinstance(tree, dict) and len(tree) == 1:
        (tag, body), = tree.items()
        if tag == "$a" and isinstance(body, str):
            if body not in arrays:
                raise WireError(f"missing array {body[:40]!r}")
            return arrays[body]
        if tag == "$t" and isinstance(body, list):
            return tuple(decode_value(v, arrays, depth + 1) for v in body)
        if tag == "$d" and isinstance(body, list):
            out = {}
            for item in body:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    raise WireError("malformed dict entry")
                out[item[0]] = decode_value(item[1], arrays, depth + 1)
            return out
        if tag == "$r" and isinstance(body, list) and len(body) == 3:
            kind, name, args = body
            if not (isinstance(kind, str) and isinstance(name, str)):
                raise WireError("malformed reference")
            return Ref(kind, name, _decode_tuple(args, arrays, depth + 1))
    raise WireError("unknown form in message")


def _decode_tuple(tree: Any, arrays: dict[str, np.ndarray], depth: int) -> tuple:
    value = decode_value(tree, arrays, depth)
    if not isinstance(value, tuple):
        raise WireError("arguments must be a tuple")
    return value


def _decode_dict(tree: Any, arrays: dict[str, np.ndarray]) -> dict:
    value = decode_value(tree, arrays)
    if not isinstance(value, dict):
        raise WireError("keyword arguments must be a dict")
    return value


# ---------------------------------------------------------------- files


def write_message(path: Path, tree: Any, arrays: dict[str, np.ndarray]) -> None:
    """Write path (JSON) and path.npz (arrays), the .npz first so the JSON marks completion."""
    path = Path(path)
    np.savez(_npz(path), **arrays)
    write_json(path, tree)


@_wire_errors_only
def read_message(path: Path) -> tuple[Any, dict[str, np.ndarray]]:
    """Read what write_message wrote, refusing anything oversized or not plain data."""
    path = Path(path)
    return parse_message(read_file(path, MAX_JSON_BYTES), read_file(_npz(path), MAX_ARRAY_BYTES))


def read_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes (never through a link), WireError if missing or over limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise WireError(f"{Path(path).name} is missing") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WireError(f"{Path(path).name} is missing")
        if info.st_size > limit:
            raise WireError(f"{Path(path).name} is larger than {limit} bytes")
        data = f.read(info.st_size + 1)  # + 1: a file still growing is caught below
    if len(data) > limit:
        raise WireError(f"{Path(path).name} is larger than {limit} bytes")
    return data


@_wire_errors_only
def parse_message(text: bytes, npz: bytes) -> tuple[Any, dict[str, np.ndarray]]:
    """The JSON tree and the arrays of a message given as bytes (both bounded here too)."""
    if len(text) > MAX_JSON_BYTES or len(npz) > MAX_ARRAY_BYTES:
        raise WireError("message too large")
    try:
        tree = json.loads(text)
    except RecursionError:
        raise WireError("nested too deeply") from None
    except ValueError as exc:  # malformed JSON or text: a clear error, never a crash
        raise WireError(f"unreadable message: {type(exc).__name__}") from None
    return tree, read_arrays(npz)


@_wire_errors_only
def read_arrays(npz: bytes) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each checked from its declared sizes before its data is read."""
    _check_directory(npz)
    try:
        archive = zipfile.ZipFile(io.BytesIO(npz))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error,
            NotImplementedError):
        raise WireError("unreadable arrays: not a zip file") from None
    arrays: dict[str, np.ndarray] = {}
    total = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ARRAYS:
            raise WireError(f"more than {MAX_ARRAYS} arrays")
        for info in infos:
            name = info.filename[:-4] if info.filename.endswith(".npy") else ""
            if not name or name in arrays or info.is_dir():
                raise WireError("malformed array name")
            if info.file_size > MAX_ARRAY_BYTES + MAX_HEADER_BYTES:
                raise WireError("arrays too large")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # zipfile inflates bzip2 and lzma chunks without an output bound
                raise WireError("arrays compressed with an unsupported method")
            try:
                with archive.open(info) as member:
                    array, nbytes = _read_member(member, info.file_size, MAX_ARRAY_BYTES - total)
            except WireError:
                raise
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error,
                    NotImplementedError, RuntimeError):
                # a bad CRC, an encrypted member, an unknown compression: not numpy's output
                raise WireError("unreadable arrays") from None
            total += nbytes
            arrays[name] = array
    return arrays


def _check_directory(npz: bytes) -> None:
    """Bound the zip directory before zipfile parses it (it builds an object per entry).

    numpy writes no archive comment, so the end record is the last 22 bytes.
    """
    if len(npz) < 22:
        raise WireError("unreadable arrays: not an .npz written by numpy")
    signature, _, _, _, entries, directory_size, _, comment = struct.unpack("<4s4H2IH",
                                                                           npz[-22:])
    # a zip64 locator before the end record would make zipfile use its 64-bit counts instead
    zip64 = len(npz) >= 42 and npz[-42:-38] == b"PK\x06\x07"
    if signature != b"PK\x05\x06" or comment or zip64:
        raise WireError("unreadable arrays: not an .npz written by numpy")
    if entries > MAX_ARRAYS or directory_size > MAX_ARRAYS * _DIRECTORY_ENTRY_BYTES:
        raise WireError(f"more than {MAX_ARRAYS} arrays")


def _read_member(member: io.BufferedIOBase, declared: int, room: int
                 ) -> tuple[np.ndarray, int]:
    """One .npy member: header first (bounded), checks, then exactly the declared data."""
    magic = _read_exact(member, 8)
    if magic[:6] != npy_format.MAGIC_PREFIX or magic[6:8] not in (b"\x01\x00", b"\x02\x00"):
        raise WireError("array is not in the .npy format")
    size_format = "<H" if magic[6] == 1 else "<I"
    size_field = _read_exact(member, struct.calcsize(size_format))
    header_length = struct.unpack(size_format, size_field)[0]
    if header_length > MAX_HEADER_BYTES:
        raise WireError("array header too large")
    header = _read_exact(member, header_length)
    prefix = io.BytesIO(magic + size_field + header)
    parsed = _plain_header(header)
    if parsed is None:  # any other form: numpy's own parser (ast.literal_eval, slower)
        version = npy_format.read_magic(prefix)
        reader = (npy_format.read_array_header_1_0 if version == (1, 0)
                  else npy_format.read_array_header_2_0)
        parsed = reader(prefix, max_header_size=MAX_HEADER_BYTES)
    shape, fortran, dtype = parsed
    if (dtype.kind not in ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype
            or dtype.hasobject):
        raise WireError(f"array of dtype {dtype} refused")
    if (not isinstance(shape, tuple) or len(shape) > MAX_NDIM
            or not all(type(n) is int and n >= 0 for n in shape)):
        raise WireError("malformed array shape")
    nbytes = math.prod(shape) * dtype.itemsize  # exact: Python integers
    if nbytes > room:
        raise WireError("arrays too large")
    if declared != len(prefix.getvalue()) + nbytes:
        raise WireError("array size does not match its header")
    buffer = bytearray(nbytes)
    view = memoryview(buffer)
    filled = 0
    while filled < nbytes:  # never asks the stream for more than the declared data
        got = member.readinto(view[filled:filled + 2**20])
        if not got:
            raise WireError("array data truncated")
        filled += got
    if member.read(1):  # also makes zipfile check the member's CRC
        raise WireError("array size does not match its header")
    array = np.frombuffer(buffer, dtype=dtype)  # writable: backed by a bytearray
    return array.reshape(shape, order="F" if fortran else "C"), nbytes


_PLAIN_HEADER = re.compile(
    rb"\{'descr': '([<>|][a-z]\d{1,2})', 'fortran_order': (True|False), "
    rb"'shape': \(((?:\d{1,18}, )*\d{0,18},?)\), \} *\n")


def _plain_header(header: bytes) -> tuple[tuple[int, ...], bool, np.dtype] | None:
    """(shape, fortran order, dtype) of a header exactly as numpy writes it for a plain
    array, else None. Half of reading a few hundred small arrays went to numpy's parser
    (``ast.literal_eval`` of the header); the checks after it are the same either way."""
    found = _PLAIN_HEADER.fullmatch(header)
    if found is None:
        return None
    descr, fortran, dims = found.groups()
    try:
        dtype = np.dtype(descr.decode("ascii"))
    except TypeError:
        return None
    shape = tuple(int(d) for d in dims.split(b",") if d.strip())
    return shape, fortran == b"True", dtype


def _read_exact(stream: io.BufferedIOBase, n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise WireError("array data truncated")
    return data


def _npz(path: Path) -> Path:
    return path.with_name(path.name + ".npz")


# ---------------------------------------------------------------- calls and outcomes


def write_calls(path: Path, calls: list[Call]) -> None:
    tree, arrays = calls_message(calls)
    write_message(path, tree, arrays)


def encode_calls(calls: list[Call]) -> tuple[bytes, bytes]:
    """The bytes :func:`write_calls` writes (the JSON, the .npz), to write again and again
    with :func:`write_encoded`: the same calls go to every submission's job, and np.savez
    of a few hundred arrays costs tens of milliseconds each time."""
    tree, arrays = calls_message(calls)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return json.dumps(tree).encode("utf-8"), buffer.getvalue()


def write_encoded(path: Path, encoded: tuple[bytes, bytes]) -> None:
    """Write what :func:`encode_calls` gave, as write_message would (the .npz first)."""
    path = Path(path)
    tree, arrays = encoded
    write_atomic(_npz(path), arrays)
    write_atomic(path, tree)


def calls_message(calls: list[Call]) -> tuple[list, dict[str, np.ndarray]]:
    """The JSON tree and arrays that stand for calls."""
    arrays: dict[str, np.ndarray] = {}
    tree = [
        {
            "function": c.function,
            "args": encode_value(tuple(c.args), arrays),
            "kwargs": encode_value(dict(c.kwargs), arrays),
            "seeds": list(c.seeds) if c.seeds is not None else None,
            "isolate": list(c.isolate),
            "cast": c.cast,
            "strict_warnings": c.strict_warnings,
            "echo": list(c.echo),
        }
        for c in calls
    ]
    return tree, arrays


CALL_KEYS = {"function", "args", "kwargs", "seeds", "isolate", "cast", "strict_warnings"}


@_wire_errors_only
def read_calls(path: Path) -> list[Call]:
    return decode_calls(*read_message(path))


@_wire_errors_only
def decode_calls(tree: Any, arrays: dict[str, np.ndarray]) -> list[Call]:
    """Calls from a message tree; WireError on any malformed part."""
    if not isinstance(tree, list):
        raise WireError("calls must be a list")
    calls = []
    for item in tree:
        if not isinstance(item, dict) or not CALL_KEYS <= set(item) <= CALL_KEYS | {"echo"}:
            raise WireError("malformed call")
        seeds, isolate, echo = item["seeds"], item["isolate"], item.get("echo", [])
        if not isinstance(item["function"], str):
            raise WireError("malformed function name")
        if seeds is not None and not (isinstance(seeds, list) and len(seeds) == 2
                                      and all(_is_int(s) for s in seeds)):
            raise WireError("malformed seeds")
        if not (isinstance(isolate, list) and all(isinstance(n, str) for n in isolate)):
            raise WireError("malformed isolate list")
        if not (isinstance(echo, list) and all(_is_int(i) for i in echo)):
            raise WireError("malformed echo list")
        if item["cast"] is not None and not isinstance(item["cast"], str):
            raise WireError("malformed cast")
        if not isinstance(item["strict_warnings"], bool):
            raise WireError("malformed strict_warnings")
        calls.append(Call(
            function=item["function"],
            args=_decode_tuple(item["args"], arrays, 0),
            kwargs=_decode_dict(item["kwargs"], arrays),
            seeds=(seeds[0], seeds[1]) if seeds is not None else None,
            isolate=tuple(isolate),
            cast=item["cast"],
            strict_warnings=item["strict_warnings"],
            echo=tuple(echo),
        ))
    return calls


def _is_int(value: Any) -> bool:
    return type(value) is int and _INT_RANGE[0] <= value < _INT_RANGE[1]


def write_outcomes(path: Path, outcomes: list[Outcome]) -> None:
    arrays: dict[str, np.ndarray] = {}
    tree = []
    for o in outcomes:
        try:
            tree.append({"value": encode_value(o.value, arrays), "error": o.error})
        except WireError as exc:
            tree.append({"value": None, "error": f"UnsupportedResultError: {exc}"})
    write_message(path, tree, arrays)


@_wire_errors_only
def read_outcomes(path: Path, expected: int) -> list[Outcome]:
    """The sandbox's outcomes, validated: exactly `expected` of them, plain data only.

    Raises only WireError, whatever the files hold.
    """
    return decode_outcomes(*read_message(path), expected)


@_wire_errors_only
def decode_outcomes(tree: Any, arrays: dict[str, np.ndarray], expected: int) -> list[Outcome]:
    """Outcomes from a message tree; WireError on any malformed part."""
    if not isinstance(tree, list) or len(tree) != expected:
        raise WireError(f"expected {expected} outcomes")
    outcomes = []
    for item in tree:
        if not isinstance(item, dict) or set(item) != {"value", "error"}:
            raise WireError("malformed outcome")
        error = item["error"]
        if error is not None and not isinstance(error, str):
            raise WireError("malformed error")
        value = decode_value(item["value"], arrays)
        if _has_ref(value):
            raise WireError("outcomes cannot hold references")
        outcomes.append(Outcome(value=value, error=error[:300] if error else None))
    return outcomes


def _has_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_ref(v) for v in value)
    if isinstance(value, dict):
        return any(_has_ref(v) for v in value.values())
    return False
