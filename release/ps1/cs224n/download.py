"""``cs224n-download``: fetch the assignment's data sets.

Usage::

    cs224n-download              # everything, into ./data
    cs224n-download sst          # the Stanford Sentiment Treebank and its PTB trees
    cs224n-download glove        # GloVe 6B, 50-d vectors only (an 822 MB download)
    cs224n-download --dest /somewhere/else all

Each archive is downloaded from its official address, checked against its SHA-256 checksum
and unpacked, giving::

    data/stanfordSentimentTreebank/datasetSentences.txt, ...
    data/trainDevTestTrees_PTB/trees/{train,dev,test}.txt
    data/glove.6B.50d.txt

Whatever is already there is skipped. On a machine without internet access, download the
archives elsewhere and put them into the destination folder (as ``data/glove.6B.zip`` etc.):
the command then checks and unpacks them without going online.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["ARCHIVES", "GROUPS", "Archive", "DownloadError", "fetch", "main"]

CHUNK = 1 << 20  # bytes read at a time while downloading and hashing


@dataclass(frozen=True)
class Archive:
    """One zip archive and the part of it the assignment needs.

    Attributes:
        url: where to download it from.
        sha256: its SHA-256 checksum, or None if unknown (the computed value is printed).
        member: the name of a file inside the archive that locates what we need.
        target: where that goes, relative to the destination folder: for ``kind="dir"`` the
            folder holding ``member`` (with everything in it), for ``kind="file"`` just
            ``member`` itself.
        kind: ``"dir"`` or ``"file"``.
    """

    url: str
    sha256: str | None
    member: str
    target: str
    kind: str = "dir"

    @property
    def filename(self) -> str:
        """The archive's file name, e.g. ``glove.6B.zip``."""
        return PurePosixPath(self.url).name

    @property
    def installed(self) -> str:
        """A path (relative to the destination) that exists once the archive is unpacked."""
        return f"{self.target}/{self.member}" if self.kind == "dir" else self.target


# The checksums are the SHA-256 values that other public projects pin for these exact
# archives (e.g. JuliaText/CorpusLoaders.jl for the SST zip, FluxML/Flux.jl for the PTB trees,
# JuliaText/Embeddings.jl and several Python projects for glove.6B.zip). They could not be
# re-computed here, without internet access; if one is ever wrong, set it to None and the
# command prints the checksum of the downloaded file instead.
ARCHIVES: dict[str, Archive] = {
    "sst": Archive(
        url="http://nlp.stanford.edu/~socherr/stanfordSentimentTreebank.zip",
        sha256="3f5209483b46bbf129cacbbbe6ae02fe780407034f61cf6342b7833257c3f1db",
        member="datasetSentences.txt",
        target="stanfordSentimentTreebank",
    ),
    "trees": Archive(
        url="http://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip",
        sha256="5c613a4f673fc74097d523a2c83f38e0cc462984d847b82c7aaf36b01cbbbfcc",
        member="train.txt",
        target="trainDevTestTrees_PTB/trees",
    ),
    "glove": Archive(
        url="http://nlp.stanford.edu/data/glove.6B.zip",
        sha256="617afb2fe6cbd085c235baf7a465b96f4112bd7f7ccb2b2cbd649fed9cbcf2fb",
        member="glove.6B.50d.txt",
        target="glove.6B.50d.txt",
        kind="file",
    ),
}

GROUPS: dict[str, tuple[str, ...]] = {
    "sst": ("sst", "trees"),
    "glove": ("glove",),
    "all": ("sst", "trees", "glove"),
}
"""What each command-line choice downloads."""


class DownloadError(Exception):
    """Something went wrong; the message says what and what the user can do about it."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _progress(total: int | None, desc: str):
    """A tqdm progress bar if tqdm is installed (and stderr is a terminal), else None."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, disable=None, leave=False)


def _offline_help(archive: Archive, dest: Path) -> str:
    return (
        "If this machine is offline, fetch the archive on another one and either\n"
        f"  - put {archive.filename} into {dest}/ and run this command again, or\n"
        f"  - unzip it yourself so that {dest / archive.installed} exists."
    )


def _download(archive: Archive, path: Path, timeout: float) -> None:
    """Stream ``archive.url`` into ``path`` (via a ``.part`` file)."""
    partial = path.with_name(path.name + ".part")
    print(f"Downloading {archive.url}", file=sys.stderr)
    try:
        with urllib.request.urlopen(archive.url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            bar = _progress(int(length) if length else None, archive.filename)
            with open(partial, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            if bar is not None:
                bar.close()
    except (OSError, http.client.HTTPException) as err:  # URLError, timeouts, resets, ...
        partial.unlink(missing_ok=True)
        if isinstance(err, urllib.error.HTTPError):
            reason = f"HTTP error {err.code} {err.reason}"
        elif isinstance(err, urllib.error.URLError):
            reason = err.reason
        else:
            reason = err
        raise DownloadError(
            f"could not download {archive.url}: {reason}\n" + _offline_help(archive, path.parent)
        ) from None
    partial.replace(path)


def _verify(archive: Archive, path: Path) -> None:
    """Check the archive's SHA-256; delete it if it does not match."""
    actual = _sha256(path)
    if archive.sha256 is None:
        print(f"{archive.filename}: sha256 {actual} (no checksum pinned; not verified)")
    elif actual != archive.sha256:
        path.unlink()
        raise DownloadError(
            f"{archive.filename} is corrupt or not the expected file: its SHA-256 is\n"
            f"  {actual}, expected\n  {archive.sha256}.\n"
            "It was deleted; run the command again to download it afresh."
        )


def _extract(archive: Archive, path: Path, dest: Path) -> None:
    """Unpack the part of the archive we need to ``dest / archive.target``."""
    target = dest / archive.target
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.startswith("__MACOSX/")]
            found = [n for n in names if PurePosixPath(n).name == archive.member]
            if not found:
                raise DownloadError(f"{archive.filename} does not contain {archive.member}")
            member = min(found, key=len)  # the shallowest copy
            if archive.kind == "file":
                pieces = {member: target}
            else:
                prefix = member[: len(member) - len(archive.member)]
                pieces = {}
                for name in names:
                    relative = PurePosixPath(name[len(prefix) :])
                    if name.startswith(prefix) and not name.endswith("/"):
                        if ".." in relative.parts or relative.is_absolute():
                            raise DownloadError(f"{archive.filename}: unsafe path {name!r}")
                        pieces[name] = target.joinpath(*relative.parts)
            staging = target.with_name(target.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            for name, out in pieces.items():
                staged = staging / out.relative_to(target.parent)
                staged.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(name) as src, open(staged, "wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
    except zipfile.BadZipFile as err:
        path.unlink()
        raise DownloadError(
            f"{archive.filename} is not a valid zip file ({err}); deleted it"
        ) from None
    except OSError as err:
        raise DownloadError(f"could not unpack {archive.filename}: {err}") from None
    # Move the unpacked files into place only once everything was extracted.
    target.parent.mkdir(parents=True, exist_ok=True)
    for item in staging.iterdir():
        final = target.parent / item.name
        if final.is_dir():
            shutil.rmtree(final)
        item.replace(final)
    staging.rmdir()


def fetch(name: str, dest: str | Path = "data", timeout: float = 60.0) -> Path:
    """Make sure archive ``name`` (a key of :data:`ARCHIVES`) is unpacked in ``dest``.

    Skips everything when the data is already there; uses an archive already saved in
    ``dest``; otherwise downloads it. The archive is deleted after unpacking.

    Returns:
        The path of the unpacked data (``dest / archive.target``).

    Raises:
        DownloadError: when the download, the checksum or the unpacking fails.
    """
    archive = ARCHIVES[name]
    dest = Path(dest)
    target = dest / archive.target
    if (dest / archive.installed).exists():
        print(f"{target} is already present; skipping.")
        return target

    dest.mkdir(parents=True, exist_ok=True)
    path = dest / archive.filename
    if path.exists():
        print(f"Using {path}, which is already downloaded.")
    else:
        _download(archive, path, timeout)
    _verify(archive, path)
    _extract(archive, path, dest)
    path.unlink()
    print(f"{archive.filename} -> {target}")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cs224n-download`` command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="cs224n-download",
        description="Download and unpack the CS224n assignment 1 data sets.",
    )
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=sorted(GROUPS),
        help="sst: the Stanford Sentiment Treebank and its PTB trees; glove: GloVe 6B 50-d "
        "vectors; all: both (the default)",
    )
    parser.add_argument("--dest", default="data", help="destination folder (default: data)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="network timeout in seconds (default: 60)"
    )
    args = parser.parse_args(argv)

    failures = 0
    for name in GROUPS[args.what]:
        try:
            fetch(name, args.dest, args.timeout)
        except DownloadError as err:
            print(f"cs224n-download: error: {err}", file=sys.stderr)
            failures += 1
        except KeyboardInterrupt:
            print("cs224n-download: interrupted", file=sys.stderr)
            return 130
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
