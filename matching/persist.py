"""Saving and loading a fitted index: numpy arrays and a JSON header, checksummed, no pickle.

What is written follows the declaration of the fitted state (:mod:`matching.fitted`): every saved
field of every part — arrays as npz members, sparse matrices as their three arrays, the rest in
the JSON header. Derived fields are recomputed by the parts' constructors on load.

File layout: ``MAGIC``, the SHA-256 of the payload, the payload (an npz archive whose ``header``
member is the JSON header). A file of another ``FORMAT_VERSION`` or built with other tokenizer
resources is refused, so the caller rebuilds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.fitted import saved_fields

__all__ = ["FORMAT_VERSION", "IndexCorrupt", "load", "save"]

FORMAT_VERSION = 3  # 3: members and header follow matching.fitted (2: a fixed list of arrays)
MAGIC = b"JIEBANG-MATCHING-INDEX\n"
_CSR = ("data", "indices", "indptr")


class IndexCorrupt(Exception):
    """The index file on disk is unreadable, damaged, stale or of another version."""


def resource_digest() -> str:
    """Hash the tokenizer resources, so an index built with other dictionaries is stale."""
    h = hashlib.sha256()
    for name in ("domain_dict.txt", "stopwords.txt"):
        h.update(resources.files("matching.resources").joinpath(name).read_bytes())
    return h.hexdigest()[:16]


def save(path: str | os.PathLike, params: Mapping[str, Any], parts: Mapping[str, object]) -> None:
    """Write the saved fields of *parts* and the estimator's *params* to *path*, atomically."""
    state: dict[str, dict[str, Any]] = {}
    arrays: dict[str, np.ndarray] = {}
    for name, part in parts.items():
        fields = state[name] = {}
        for field in saved_fields(type(part)):
            value, key = getattr(part, field), f"{name}.{field}"
            if sp.issparse(value):
                arrays.update({f"{key}.{a}": getattr(value, a) for a in _CSR})
                fields[field] = {"csr": list(value.shape)}
            elif isinstance(value, np.ndarray):
                arrays[key] = value
                fields[field] = {"array": list(value.shape)}
            else:
                fields[field] = {"json": value}
    header = {"format": FORMAT_VERSION, "resources": resource_digest(), "params": dict(params), "state": state}
    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8), **arrays)
    payload = buf.getvalue()
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(
    path: str | os.PathLike, parts: Mapping[str, type], expect: Mapping[str, object] | None = None
) -> tuple[dict[str, Any], dict[str, object]]:
    """Read a file written by :func:`save`; return the params and the parts, rebuilt.

    *expect* maps ``"part.field"`` of JSON-saved fields to the value they must hold (a stale file
    otherwise). Any problem raises :class:`IndexCorrupt`.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise IndexCorrupt(f"cannot read index file: {exc}") from exc
    head = len(MAGIC) + 32
    if len(raw) < head or not raw.startswith(MAGIC):
        raise IndexCorrupt("not a matching index file")
    payload = raw[head:]
    if hashlib.sha256(payload).digest() != raw[len(MAGIC) : head]:
        raise IndexCorrupt("index file checksum mismatch")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes().decode())
            arrays = {k: npz[k] for k in npz.files if k != "header"}
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise IndexCorrupt(f"index file unreadable: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise IndexCorrupt("index file was written by another version")
    if header.get("resources") != resource_digest():
        raise IndexCorrupt("index file was written by another version")
    try:
        state = header["state"]
        for where, value in (expect or {}).items():
            name, field = where.split(".", 1)
            if state[name][field].get("json") != value:
                raise IndexCorrupt(f"index file is stale ({field} mismatch)")
        built = {name: cls(**{f: _value(state[name][f], name, f, arrays) for f in saved_fields(cls)})
                 for name, cls in parts.items()}
        return header["params"], built
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IndexCorrupt(f"index file inconsistent: {exc}") from exc


def _value(entry: dict[str, Any], name: str, field: str, arrays: Mapping[str, np.ndarray]) -> Any:
    """The value of one saved field from its header entry."""
    key = f"{name}.{field}"
    if "csr" in entry:
        return sp.csr_matrix(tuple(arrays[f"{key}.{a}"] for a in _CSR), shape=tuple(entry["csr"]))
    if "array" in entry:
        return arrays[key]
    return entry["json"]
