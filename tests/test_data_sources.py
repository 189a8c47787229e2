"""Bring-your-own data: array files and image folders are described without loading
(static measures in `check`), loaded, split and scaled as documented, run end to end on
both backends, and refused with one-line errors naming the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import SPECS, run_cli
from PIL import Image

from nasdsl.data import DataError, describe, load_data

SPACE = """
  space layers {
    conv(channels = choice(4, 8), kernel = 3, activation = relu)
    max_pool
    dense(units = 16, activation = relu)
  }
"""


def _spec(folder: Path, source: str, *, backend: str = "torch", extra: str = "") -> Path:
    text = f"""experiment "byo" {{
  seed = 1
  data {{
    source = {source}
    split  = train 60%, val 20%, test 20%
  }}
  objective {{ maximize val.accuracy }}
  constraints {{ params <= 2k }}
{SPACE}
  train {{ epochs = 1; batch_size = 32 }}
  budget {{ trials = 1 }}
  strategy random
  backend = {backend}
{extra}}}
"""
    path = folder / "spec.nas"
    path.write_text(text, encoding="utf-8")
    return path


def _config(folder: Path, source: str) -> dict:
    from nasdsl.compile import spec_to_config
    from nasdsl.lang import load_spec

    result = load_spec(_spec(folder, source))
    assert result.ok, result.rendered()
    return spec_to_config(result.spec)


def _images(n: int = 60, classes: int = 3, size: int = 10, seed: int = 0) -> tuple:
    """uint8 images (N, H, W) whose class is their brightness, and the labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = (rng.integers(0, 60, (n, size, size)) + y[:, None, None] * 80).astype(np.uint8)
    return x, y


@pytest.fixture
def arrays(tmp_path):
    x, y = _images()
    np.savez(tmp_path / "d.npz", x=x, y=y)
    np.save(tmp_path / "nhwc.npy", np.repeat(x[..., None], 3, axis=3))
    np.save(tmp_path / "nchw.npy", np.repeat(x[:, None], 3, axis=1))
    np.save(tmp_path / "labels.npy", y)
    return tmp_path


@pytest.fixture
def folder(tmp_path):
    x, y = _images(45)
    for i, (img, label) in enumerate(zip(x, y, strict=True)):
        cls = tmp_path / "imgs" / ["cat", "dog", "eel"][label]
        cls.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.stack([img] * 3, axis=2)).save(cls / f"{i}.png")
    return tmp_path


# ---------------------------------------------------------------- descriptions


def test_descriptions_come_from_headers_and_listings(arrays, folder):
    npz = describe(_config(arrays, 'file("d.npz")'))
    assert (npz.image_shape, npz.classes, npz.samples) == ((1, 10, 10), 3, 60)
    nhwc = describe(_config(arrays, 'file("nhwc.npy", labels = "labels.npy")'))
    nchw = describe(_config(arrays, 'file("nchw.npy", labels = "labels.npy")'))
    assert nhwc.image_shape == nchw.image_shape == (3, 10, 10)
    imgs = describe(_config(folder, 'images("imgs/", size = 8)'))
    assert (imgs.image_shape, imgs.class_names, imgs.samples) == ((3, 8, 8),
                                                                ("cat", "dog", "eel"), 45)
    gray = describe(_config(folder, 'images("imgs/", size = 8, grayscale = true)'))
    assert gray.image_shape == (1, 8, 8)


def test_check_shows_static_measures_for_every_source(arrays, folder):
    sources = [(arrays, 'file("d.npz")'), (arrays, 'file("nhwc.npy", labels = "labels.npy")'),
               (folder, 'images("imgs/", size = 8)')]
    for where, source in sources:
        spec = _spec(where, source)
        proc = run_cli("check", "--format", "json", str(spec))
        assert proc.returncode == 0, proc.stderr
        found = json.loads(proc.stdout)["files"][0]["diagnostics"]
        measures = [d for d in found if d["code"] == "NAS409"]
        assert measures and "params" in measures[0]["notes"][0], (source, found)
        space = run_cli("space", str(spec))
        assert "params" in space.stdout and "unavailable" not in space.stdout, space.stdout


def test_check_warns_when_the_source_cannot_be_read(tmp_path):
    spec = _spec(tmp_path, 'file("missing.npz")')
    proc = run_cli("check", "--format", "json", str(spec))
    assert proc.returncode == 0
    found = json.loads(proc.stdout)["files"][0]["diagnostics"]
    assert [d["code"] for d in found] == ["NAS421"]
    assert "missing.npz" in found[0]["message"]


# ---------------------------------------------------------------- loading


def test_both_layouts_give_the_same_images(arrays):
    a = load_data(_config(arrays, 'file("nhwc.npy", labels = "labels.npy")'), image=True)
    b = load_data(_config(arrays, 'file("nchw.npy", labels = "labels.npy")'), image=True)
    assert a.x_train.shape[1:] == (3, 10, 10)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_npy_features_are_memory_mapped(arrays):
    from nasdsl.data.arrays import _features, array_files

    cfg = _config(arrays, 'file("nchw.npy", labels = "labels.npy")')["data"]
    assert isinstance(_features(array_files(cfg)), np.memmap)


def test_images_are_scaled_with_training_statistics_only(arrays):
    data = load_data(_config(arrays, 'file("d.npz")'), image=True)
    train = data.x_train.astype(np.float64)
    assert abs(train.mean()) < 1e-5 and abs(train.std() - 1) < 1e-4
    scaling = data.input_scaling
    assert scaling["scale"] == pytest.approx(1 / 255) and scaling["layout"] == "nhw"
    raw, y = _images()
    # the statistics are the training rows' own, not those of every row
    assert scaling["mean"][0] != pytest.approx(raw.mean() / 255, abs=1e-6)
    assert data.class_names == ("0", "1", "2")
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == len(y)


def test_a_flat_space_sees_each_image_as_one_row(arrays):
    cfg = _config(arrays, 'file("d.npz")')
    flat = load_data(cfg, image=False)
    assert flat.x_train.shape[1:] == (100,)
    assert load_data(cfg, image=True) is not flat


def test_image_folders_are_decoded_once(folder, monkeypatch, tmp_path):
    monkeypatch.setenv("NASDSL_CACHE_DIR", str(tmp_path / "cache"))
    from nasdsl.data import images

    cfg = _config(folder, 'images("imgs/", size = 8)')
    first = images.decoded(images.folder_of(cfg["data"]))
    assert len(list((tmp_path / "cache" / "images").glob("*.npz"))) == 1

    def no_decoding(*_a, **_k):
        raise AssertionError("decoded again")

    monkeypatch.setattr(Image, "open", no_decoding)
    again = images.decoded(images.folder_of(cfg["data"]))
    np.testing.assert_array_equal(first[0], again[0])
    # a changed image makes a new entry
    changed = next((folder / "imgs" / "cat").iterdir())
    os.utime(changed, ns=(1, 1))
    with pytest.raises(AssertionError, match="decoded again"):
        images.decoded(images.folder_of(cfg["data"]))


# ---------------------------------------------------------------- end to end


@pytest.mark.parametrize("backend", ["torch", "keras"])
@pytest.mark.parametrize("source", ['file("d.npz")', 'file("nhwc.npy", labels = "labels.npy")',
                                    'images("imgs/", size = 8, grayscale = true)'],
                         ids=["npz", "npy", "images"])
def test_each_source_runs_end_to_end(arrays, backend, source, tmp_path):
    x, y = _images(45)
    for i, (img, label) in enumerate(zip(x, y, strict=True)):
        cls = arrays / "imgs" / str(label)
        cls.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(cls / f"{i}.png")
    spec = _spec(arrays, source, backend=backend)
    runs = tmp_path / "runs"
    proc = run_cli("run", str(spec), "--quiet", "--runs-dir", str(runs))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    trial = json.loads(next(runs.rglob("trial_0000.json")).read_text(encoding="utf-8"))
    assert trial["status"] == "ok", trial["reason"]
    assert trial["metrics"]["test"]["accuracy"] > 0


# ---------------------------------------------------------------- bad input


def _bad(folder: Path, source: str) -> str:
    with pytest.raises(DataError) as err:
        load_data(_config(folder, source), image=True)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_bad_arrays_are_one_line_errors_naming_the_file(tmp_path):
    x, y = _images()
    assert "no features file" in _bad(tmp_path, 'file("none.npz")')
    np.savez(tmp_path / "names.npz", features=x, labels=y)
    assert "names.npz has no array 'x' (it holds: features, labels)" in \
        _bad(tmp_path, 'file("names.npz")')
    np.savez(tmp_path / "short.npz", x=x, y=y[:-1])
    assert "60 samples" in _bad(tmp_path, 'file("short.npz")')
    np.savez(tmp_path / "one.npz", x=x, y=np.zeros(len(x)))
    assert "one class only" in _bad(tmp_path, 'file("one.npz")')
    nan = x.astype(np.float32)
    nan[7, 0, 0] = np.nan
    nan[9, 1, 1] = np.inf
    np.savez(tmp_path / "nan.npz", x=nan, y=y)
    assert "nan.npz[x]: 2 sample(s) hold NaN or infinite features (the first is sample 7)" \
        in _bad(tmp_path, 'file("nan.npz")')
    np.savez(tmp_path / "odd.npz", x=np.zeros((60, 3, 5, 3), np.uint8), y=y)
    assert "layout = nchw" in _bad(tmp_path, 'file("odd.npz")')
    np.savez(tmp_path / "soft.npz", x=x, y=y + 0.5)
    assert "task = regression" in _bad(tmp_path, 'file("soft.npz")')
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert "junk.npz is not an .npz archive" in _bad(tmp_path, 'file("junk.npz")')
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.array([{"a": 1}] * 60, dtype=object))
    assert "y.npy: cannot read the labels" in \
        _bad(tmp_path, 'file("x.npy", labels = "y.npy")')
    np.savez(tmp_path / "few.npz", x=x[:4], y=np.array([0, 0, 0, 1]))
    assert "cannot split 4 samples" in _bad(tmp_path, 'file("few.npz")')


def test_bad_image_folders_are_one_line_errors_naming_the_file(tmp_path):
    assert "no image folder" in _bad(tmp_path, 'images("none/")')
    (tmp_path / "empty").mkdir()
    assert "has no class sub-folders" in _bad(tmp_path, 'images("empty/")')
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "empty" / "a.png")
    assert "put each class's images in a sub-folder" in _bad(tmp_path, 'images("empty/")')
    (tmp_path / "imgs" / "a").mkdir(parents=True)
    (tmp_path / "imgs" / "b").mkdir()
    for i in range(6):
        Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "imgs" / "a" / f"{i}.png")
    (tmp_path / "imgs" / "b" / "notes.txt").write_text("not an image")
    assert "imgs/b holds no images" in _bad(tmp_path, 'images("imgs/")')
    for i in range(5):
        Image.fromarray(np.ones((4, 4), np.uint8)).save(tmp_path / "imgs" / "b" / f"{i}.png")
    (tmp_path / "imgs" / "b" / "5.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    assert "imgs/b/5.png: not a readable image" in _bad(tmp_path, 'images("imgs/")')


def test_run_refuses_bad_data_before_anything_is_written(tmp_path):
    np.savez(tmp_path / "names.npz", features=np.zeros((10, 4)), labels=np.arange(10) % 2)
    spec = _spec(tmp_path, 'file("names.npz")')
    runs = tmp_path / "runs"
    proc = run_cli("run", str(spec), "--runs-dir", str(runs))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "names.npz has no array 'x'" in proc.stderr
    assert not list(runs.rglob("run.json"))


def test_the_example_data_is_what_the_script_makes(tmp_path):
    import importlib.util

    path = SPECS / "data" / "make_image_data.py"
    spec = importlib.util.spec_from_file_location("make_image_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path)
    with np.load(tmp_path / "digits16.npz") as made, \
            np.load(SPECS / "data" / "digits16.npz") as shipped:
        np.testing.assert_array_equal(made["x"], shipped["x"])
        np.testing.assert_array_equal(made["y"], shipped["y"])
    made_files = sorted(p.relative_to(tmp_path) for p in (tmp_path / "digit_images").rglob("*"))
    shipped_files = sorted(p.relative_to(SPECS / "data")
                           for p in (SPECS / "data" / "digit_images").rglob("*"))
    assert made_files == shipped_files
    for rel in made_files[1::97]:
        if rel.suffix == ".png":
            np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / rel)),
                                          np.asarray(Image.open(SPECS / "data" / rel)))


def test_the_run_keeps_its_data_and_retrain_warns_when_it_changed(arrays, tmp_path):
    spec = _spec(arrays, f'file("../{arrays.name}/d.npz")')
    runs = tmp_path / "runs"
    proc = run_cli("run", str(spec), "--quiet", "--runs-dir", str(runs))
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = next(runs.rglob("run.json")).parent
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))["data"]
    assert record["class_names"] == ["0", "1", "2"] and record["samples"] == 60
    assert record["path"] == str((arrays / "d.npz").resolve())  # `../` shown resolved
    quiet = run_cli("retrain", str(run), "--trial", "0")
    assert quiet.returncode == 0 and "data changed" not in quiet.stderr
    x, y = _images(seed=1)
    np.savez(arrays / "d.npz", x=x, y=y)
    os.utime(arrays / "d.npz", ns=(10**18, 10**18))
    again = run_cli("retrain", str(run), "--trial", "0")
    assert again.returncode == 0, again.stderr
    assert "the data changed since this run started" in again.stderr


def test_an_exported_image_model_takes_raw_pixels_and_scores_as_in_the_run(arrays, tmp_path):
    import onnxruntime as ort
    import torch
    import yaml

    from nasdsl.data.splits import split_indices

    spec = _spec(arrays, 'file("nhwc.npy", labels = "labels.npy")')
    runs = tmp_path / "runs"
    proc = run_cli("run", str(spec), "--quiet", "--runs-dir", str(runs), "train.epochs=3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = next(runs.rglob("run.json")).parent
    out = tmp_path / "export"
    for fmt in ("onnx", "torchscript"):
        done = run_cli("export", str(run), "--format", fmt, "--trial", "0", "--output", str(out))
        assert done.returncode == 0, done.stderr
    trial = json.loads((run / "trials" / "trial_0000.json").read_text(encoding="utf-8"))
    config = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    raw = np.load(arrays / "nhwc.npy").transpose(0, 3, 1, 2).astype(np.float32)  # 0-255
    y = np.load(arrays / "labels.npy")
    test = split_indices(config, y, True)[2]
    sidecar = json.loads((out / "trial_0000.onnx.nasdsl.json").read_text(encoding="utf-8"))
    assert sidecar["inputs"]["preprocessing"].startswith("built in")
    assert sidecar["inputs"]["class_names"] == ["0", "1", "2"]
    session = ort.InferenceSession(str(out / "trial_0000.onnx"))
    onnx_out = session.run(None, {session.get_inputs()[0].name: raw[test]})[0]
    scripted = torch.jit.load(str(out / "trial_0000.torchscript.pt"))
    script_out = scripted(torch.from_numpy(raw[test])).detach().numpy()
    expected = trial["metrics"]["test"]["accuracy"]
    for logits in (onnx_out, script_out):
        assert float((logits.argmax(axis=1) == y[test]).mean()) == pytest.approx(expected)
