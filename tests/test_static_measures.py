"""The IR's static params and bytes equal what PyTorch counts, for sampled chains."""

import optuna
import pytest
from conftest import SPECS

from nasdsl.compile import spec_to_config
from nasdsl.lang import load_spec, parse_spec
from nasdsl.space.search_space import OptunaSuggest, SearchSpace
from nasdsl.space.shapes import measure

CNN = '''experiment "cnn" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers {
    conv(channels = choice(4, 8), kernel = choice(3, 5), activation = relu)
    optional batch_norm
    optional max_pool(size = 2)
    repeat range(0, 2) { conv(channels = choice(8, 16), stride = choice(1, 2)) }
    optional global_avg_pool
    dense(units = choice(16, 32), activation = gelu)
    optional batch_norm
    dropout(rate = 0.1)
  }
}'''


def _archs(config, n):
    space = SearchSpace(config)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append(space.sample(OptunaSuggest(trial)))
        study.tell(trial, 0.0)
    return out


@pytest.mark.parametrize("source", ["quickstart", "cnn"])
def test_static_counts_equal_torch(source):
    torch = pytest.importorskip("torch")
    from nasdsl.backends.torch import TorchBackend

    text = (SPECS / "quickstart.nas").read_text() if source == "quickstart" else CNN
    spec = parse_spec(text).spec
    backend = TorchBackend()
    for arch in _archs(spec_to_config(spec), 25):
        static = measure(arch)
        model = backend.build(arch, seed=0)
        counted = backend.count(model)
        assert counted == {"params": static.params, "model_bytes": static.model_bytes}, \
            arch.describe()
        out = model(torch.zeros((2, *arch.input_shape)))
        assert tuple(out.shape) == (2, arch.outputs)


def test_architecture_json_round_trip():
    from nasdsl.space.ir import Architecture

    config = spec_to_config(load_spec(SPECS / "quickstart.nas").spec)
    for arch in _archs(config, 5):
        assert Architecture.from_json(arch.to_json()) == arch
