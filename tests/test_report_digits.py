"""A real short digits run, end to end through the CLI: baseline, final phase and exports
from the spec, a report, an HTML file headless Chromium renders, exports that agree."""

import json
import re

import numpy as np
import pytest
from conftest import SPECS, rendered_dom, run_cli

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                         "ignore::UserWarning")]

EXTRA = """
  baseline "hand" {
    layers { dense(units = 16, activation = relu); dense }
  }

  final {
    top   = 2
    seeds = 2
  }

  export {
    formats = [onnx, torchscript, source]
  }
}
"""


def test_digits_run_report_html_and_exports(tmp_path):
    torch = pytest.importorskip("torch")
    import onnxruntime as ort
    from nasdsl.backends.torch.export import load_trained

    from nasdsl.data import load_data
    from nasdsl.space.ir import Architecture

    text = (SPECS / "quickstart.nas").read_text()
    spec = tmp_path / "digits.nas"
    spec.write_text(text[:text.rstrip().rindex("}")] + EXTRA)
    proc = run_cli("run", str(spec), "budget.trials=5", "train.epochs=3", "--quiet",
                   "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = next((tmp_path / "runs" / "quickstart").iterdir())
    assert "Final phase" in proc.stdout and "baseline 'hand'" in proc.stdout

    html, js = tmp_path / "r.html", tmp_path / "r.json"
    rep = run_cli("report", str(run), "--html", str(html), "--json", str(js))
    assert rep.returncode == 0, rep.stderr
    data = json.loads(js.read_text())
    assert data["summary"]["trials"] == 5 and data["final"]["seeds"] == 2
    assert data["baselines"][0]["status"] == "ok"
    best = data["top"][0]["number"]
    trial = json.loads((run / "trials" / f"trial_{best:04d}.json").read_text())
    arch = Architecture.from_dict(trial["architecture"])
    model = load_trained(arch, run / "models" / f"trial_{best:04d}.pt")
    config = {"data": {"source": "sklearn.digits",
                       "split": {"train": 0.7, "val": 0.15, "test": 0.15}},
              "experiment": {"seed": 7}}
    x = load_data(config, image=False).x_test[:64]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    out = run / "export"
    stem = f"trial_{best:04d}"
    session = ort.InferenceSession(str(out / f"{stem}.onnx"))
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                               expected, rtol=1e-4, atol=1e-4)
    scripted = torch.jit.load(str(out / f"{stem}.torchscript.pt"))
    np.testing.assert_allclose(scripted(torch.from_numpy(x)).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-5)
    namespace: dict = {"__name__": "exported"}
    source = (out / f"{stem}.py").read_text()
    assert not re.search(r"^(import|from) nasdsl", source, re.M)
    exec(compile(source, stem, "exec"), namespace)  # noqa: S102
    net = namespace["Net"]()
    net.load_state_dict(torch.load(out / f"{stem}.weights.pt", weights_only=True))
    net.eval()
    with torch.no_grad():
        np.testing.assert_allclose(net(torch.from_numpy(x)).numpy(), expected,
                                   rtol=1e-5, atol=1e-5)

    dom = rendered_dom(html, tmp_path)  # last: it skips where no browser is installed
    assert "Final phase" in dom and "<svg" in dom
