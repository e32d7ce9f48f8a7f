"""The data-only channel between the grader and the sandbox: JSON plus one .npz of arrays.

Both directions use the same encoding. Arrays travel in an .npz read with
`np.load(allow_pickle=False)`; everything else is JSON with a few tagged forms:

    {"$a": "a3"}               the array named a3 in the .npz
    {"$t": [...]}              a tuple
    {"$d": [[key, value]...]}  a dict with string keys
    {"$r": [kind, name, args]} a probe.Ref

Decoding is strict and bounded: unknown tags, object arrays, unexpected dtypes, deep nesting
or oversized files are errors (WireError), never code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .probe import Call, Outcome, Ref

MAX_JSON_BYTES = 16 * 1024**2
MAX_ARRAY_BYTES = 64 * 1024**2
MAX_DEPTH = 16
ALLOWED_KINDS = set("biuf")  # bool, int, unsigned, float: never object, string or void


class WireError(ValueError):
    """A message on the channel is malformed or too large."""


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
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode_value(v, arrays, depth + 1) for v in tree]
    if isinstance(tree, dict) and len(tree) == 1:
        (tag, body), = tree.items()
        if tag == "$a" and isinstance(body, str):
            if body not in arrays:
                raise WireError(f"missing array {body!r}")
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
            return Ref(kind, name, tuple(decode_value(args, arrays, depth + 1)))
    raise WireError("unknown form in message")


# ---------------------------------------------------------------- files


def write_message(path: Path, tree: Any, arrays: dict[str, np.ndarray]) -> None:
    """Write path (JSON) and path.npz (arrays), the .npz first so the JSON marks completion."""
    path = Path(path)
    np.savez(_npz(path), **arrays)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(tree))
    os.replace(tmp, path)


def read_message(path: Path) -> tuple[Any, dict[str, np.ndarray]]:
    """Read what write_message wrote, refusing anything oversized or not plain data."""
    path = Path(path)
    for file, limit in ((path, MAX_JSON_BYTES), (_npz(path), MAX_ARRAY_BYTES)):
        if not file.is_file() or file.is_symlink():
            raise WireError(f"{file.name} is missing")
        if file.stat().st_size > limit:
            raise WireError(f"{file.name} is larger than {limit} bytes")
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
        arrays = {}
        with np.load(_npz(path), allow_pickle=False) as data:
            total = 0
            for name in data.files:
                array = data[name]
                if array.dtype.kind not in ALLOWED_KINDS:
                    raise WireError(f"array of dtype {array.dtype} refused")
                total += array.nbytes
                if total > MAX_ARRAY_BYTES:
                    raise WireError("arrays too large")
                arrays[name] = array
    except WireError:
        raise
    except Exception as exc:  # malformed JSON or npz: a clear error, never a crash
        raise WireError(f"unreadable message: {type(exc).__name__}") from None
    return tree, arrays


def _npz(path: Path) -> Path:
    return path.with_name(path.name + ".npz")


# ---------------------------------------------------------------- calls and outcomes


def write_calls(path: Path, calls: list[Call]) -> None:
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
    write_message(path, tree, arrays)


def read_calls(path: Path) -> list[Call]:
    tree, arrays = read_message(path)
    calls = []
    for item in tree:
        seeds = item["seeds"]
        calls.append(Call(
            function=str(item["function"]),
            args=tuple(decode_value(item["args"], arrays)),
            kwargs=dict(decode_value(item["kwargs"], arrays)),
            seeds=(int(seeds[0]), int(seeds[1])) if seeds is not None else None,
            isolate=tuple(str(n) for n in item["isolate"]),
            cast=item["cast"],
            strict_warnings=bool(item["strict_warnings"]),
            echo=tuple(int(i) for i in item.get("echo", ())),
        ))
    return calls


def write_outcomes(path: Path, outcomes: list[Outcome]) -> None:
    arrays: dict[str, np.ndarray] = {}
    tree = []
    for o in outcomes:
        try:
            tree.append({"value": encode_value(o.value, arrays), "error": o.error})
        except WireError as exc:
            tree.append({"value": None, "error": f"UnsupportedResultError: {exc}"})
    write_message(path, tree, arrays)


def read_outcomes(path: Path, expected: int) -> list[Outcome]:
    """The sandbox's outcomes, validated: exactly `expected` of them, plain data only."""
    tree, arrays = read_message(path)
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
