"""Tests of cs224n-download against a local HTTP server on 127.0.0.1 (never the internet).

The URL table is pointed at small zips laid out like the real archives: the SST zip with a
top-level ``stanfordSentimentTreebank/`` folder and macOS ``__MACOSX/`` litter, the PTB zip with
``trees/``, and a GloVe zip holding several files of which only the 50-d one is wanted.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

import cs224n
from cs224n import download
from cs224n.treebank import StanfordSentiment

FIXTURES = Path(__file__).parent / "fixtures"
SST = cs224n.sample_sst_dir()  # the SST sample shipped with the package
TREES = FIXTURES / "trainDevTestTrees_PTB" / "trees"
GLOVE_50D = "the 0.1 0.2\ncliché 0.3 0.4\n"


def make_zip(path: Path, files: dict[str, bytes]) -> str:
    """Write a zip with the given members; returns its SHA-256."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Server:
    """A static file server on 127.0.0.1 that counts the requests it answers."""

    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output quiet
                server.requests.append(self.path)

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serve three small archives and point download.ARCHIVES at them."""
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    root = tmp_path / "served"
    root.mkdir()
    sst_files = {
        f"stanfordSentimentTreebank/{p.name}": p.read_bytes() for p in sorted(SST.iterdir())
    }
    sst_files["__MACOSX/stanfordSentimentTreebank/._datasetSentences.txt"] = b"\x00junk"
    sums = {
        "sst": make_zip(root / "stanfordSentimentTreebank.zip", sst_files),
        "trees": make_zip(
            root / "trainDevTestTrees_PTB.zip",
            {f"trees/{p.name}": p.read_bytes() for p in sorted(TREES.iterdir())},
        ),
        "glove": make_zip(
            root / "glove.6B.zip",
            {
                "glove.6B.50d.txt": GLOVE_50D.encode(),
                "glove.6B.100d.txt": b"the 1 2 3\n",
                "README": b"not wanted",
            },
        ),
    }
    srv = Server(root)
    tables = {
        name: dataclasses.replace(
            archive,
            url=f"{srv.url}/{download.ARCHIVES[name].filename}",
            sha256=sums[name],
        )
        for name, archive in download.ARCHIVES.items()
    }
    monkeypatch.setattr(download, "ARCHIVES", tables)
    yield srv
    srv.close()


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_all(server, tmp_path, capsys):
    dest = tmp_path / "data"
    assert download.main(["--dest", str(dest), "all"]) == 0

    sst = dest / "stanfordSentimentTreebank"
    trees = dest / "trainDevTestTrees_PTB" / "trees"
    for p in SST.iterdir():
        assert (sst / p.name).read_bytes() == p.read_bytes()
    for p in TREES.iterdir():
        assert (trees / p.name).read_bytes() == p.read_bytes()
    assert (dest / "glove.6B.50d.txt").read_text(encoding="utf-8") == GLOVE_50D
    # Only what the assignment needs; no archives or partial files left behind.
    assert sorted(p.name for p in dest.iterdir()) == [
        "glove.6B.50d.txt",
        "stanfordSentimentTreebank",
        "trainDevTestTrees_PTB",
    ]
    assert sorted(p.name for p in (dest / "trainDevTestTrees_PTB").iterdir()) == ["trees"]
    assert len(server.requests) == 3
    # The result is usable by the loader.
    assert len(StanfordSentiment(sst).getDevSentences()) == 40

    # A second run finds everything and does not go online.
    capsys.readouterr()
    assert download.main(["--dest", str(dest)]) == 0
    assert len(server.requests) == 3
    assert capsys.readouterr().out.count("already present") == 3


def test_download_one_group(server, tmp_path):
    dest = tmp_path / "data"
    assert download.main(["--dest", str(dest), "glove"]) == 0
    assert [p.name for p in dest.iterdir()] == ["glove.6B.50d.txt"]
    assert server.requests == ["/glove.6B.zip"]


def test_checksum_mismatch(server, tmp_path, capsys, monkeypatch):
    archive = download.ARCHIVES["glove"]
    monkeypatch.setitem(download.ARCHIVES, "glove", dataclasses.replace(archive, sha256="0" * 64))
    dest = tmp_path / "data"
    assert download.main(["--dest", str(dest), "glove"]) == 1
    err = capsys.readouterr().err
    assert "SHA-256" in err and "0" * 64 in err and "Traceback" not in err
    assert list(dest.iterdir()) == []  # the bad archive was deleted, nothing unpacked


def test_unpinned_checksum_is_printed(server, tmp_path, capsys, monkeypatch):
    archive = download.ARCHIVES["trees"]
    expected = archive.sha256
    monkeypatch.setitem(download.ARCHIVES, "trees", dataclasses.replace(archive, sha256=None))
    assert (
        download.fetch("trees", tmp_path / "data") == tmp_path / "data/trainDevTestTrees_PTB/trees"
    )
    assert f"sha256 {expected}" in capsys.readouterr().out


def test_unreachable_server_is_a_clear_error(tmp_path, capsys, monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}/stanfordSentimentTreebank.zip"
    archive = dataclasses.replace(download.ARCHIVES["sst"], url=url)
    monkeypatch.setitem(download.ARCHIVES, "sst", archive)
    monkeypatch.setitem(download.ARCHIVES, "trees", dataclasses.replace(archive, url=url + "x"))
    dest = tmp_path / "data"

    assert download.main(["--dest", str(dest), "--timeout", "5", "sst"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"could not download {url}" in err
    assert f"put stanfordSentimentTreebank.zip into {dest}/" in err
    assert str(dest / "stanfordSentimentTreebank" / "datasetSentences.txt") in err
    assert not list(dest.glob("*.part"))


def test_http_error_is_a_clear_error(server, tmp_path, capsys, monkeypatch):
    archive = download.ARCHIVES["glove"]
    missing = dataclasses.replace(archive, url=f"{server.url}/nothing/glove.6B.zip")
    monkeypatch.setitem(download.ARCHIVES, "glove", missing)
    assert download.main(["--dest", str(tmp_path / "data"), "glove"]) == 1
    err = capsys.readouterr().err
    assert "could not download" in err and "HTTP error 404" in err
    assert "Traceback" not in err


def test_an_archive_put_there_by_hand_is_used_offline(server, tmp_path, monkeypatch):
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "glove.6B.zip").write_bytes((tmp_path / "served" / "glove.6B.zip").read_bytes())
    archive = download.ARCHIVES["glove"]
    offline = dataclasses.replace(archive, url=f"http://127.0.0.1:{closed_port()}/glove.6B.zip")
    monkeypatch.setitem(download.ARCHIVES, "glove", offline)
    assert download.main(["--dest", str(dest), "glove"]) == 0
    assert (dest / "glove.6B.50d.txt").read_text(encoding="utf-8") == GLOVE_50D
    assert not (dest / "glove.6B.zip").exists()


def test_a_broken_zip_is_deleted(tmp_path, capsys, monkeypatch):
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "glove.6B.zip").write_bytes(b"not a zip")
    archive = dataclasses.replace(download.ARCHIVES["glove"], sha256=None)
    monkeypatch.setitem(download.ARCHIVES, "glove", archive)
    assert download.main(["--dest", str(dest), "glove"]) == 1
    assert "not a valid zip" in capsys.readouterr().err
    assert list(dest.iterdir()) == []


def test_pinned_checksums_look_like_sha256():
    for archive in download.ARCHIVES.values():
        assert archive.url.startswith("http://nlp.stanford.edu/")
        assert archive.sha256 is None or len(bytes.fromhex(archive.sha256)) == 32


def test_command_line_help():
    result = subprocess.run(
        [sys.executable, "-m", "cs224n.download", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "{all,glove,sst}" in result.stdout
