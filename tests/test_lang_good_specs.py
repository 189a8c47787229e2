"""Every spec in tests/good_specs/ and specs/ parses without errors, into the expected AST."""

from pathlib import Path

import pytest

from nasdsl.lang import ast, load_spec, parse_spec

HERE = Path(__file__).parent
GOOD = sorted((HERE / "good_specs").glob("*.nas"))
EXAMPLES = sorted((HERE.parent / "specs").glob("*.nas"))


@pytest.mark.parametrize("path", GOOD + EXAMPLES, ids=[p.stem for p in GOOD + EXAMPLES])
def test_good_spec_has_no_errors(path: Path):
    result = load_spec(path)
    assert result.ok, result.rendered()


def _spec(name: str) -> ast.Spec:
    result = load_spec(HERE / "good_specs" / f"{name}.nas")
    assert result.ok and result.spec is not None, result.rendered()
    return result.spec


def test_cell_space_and_run_blocks():
    spec = _spec("cells_digits")
    assert [u.module for u in spec.uses] == ["mypkg.ops"]
    assert spec.data.normalize == "minmax" and spec.task == "classification"
    assert spec.objective.metrics == ("f1", "top3_accuracy", "loss")
    limits = {c.subject: c for c in spec.constraints}
    assert (limits["latency"].value, limits["latency"].batch, limits["latency"].device) == \
        (0.002, 1, "cpu")
    assert limits["peak_memory"].soft and limits["peak_memory"].batch == 32
    assert limits["peak_memory"].value == 64e6 and not limits["params"].soft
    assert limits["flops"].value == 5e6
    sp = spec.space
    assert isinstance(sp, ast.CellSpace)
    assert sp.normal.ops[0] == "sep_conv_3x3" and sp.normal.combine == "concat"
    assert sp.reduction is not None and sp.reduction.combine == "add"
    assert [(i.cell, type(i.count).__name__) for i in sp.layout] == \
        [("normal", "Choice"), ("reduction", "Literal"), ("normal", "Choice")]
    assert [op.op for op in sp.head] == ["global_avg_pool", "dropout"]  # output dense implied
    assert spec.train.schedule is not None and spec.train.schedule.get("warmup") == 2
    assert spec.train.augment is not None and {p.name for p in spec.train.augment.params} == \
        {"crop", "noise"}
    assert spec.train.precision == "mixed"
    b = spec.budget
    assert (b.trials, b.time_s, b.device_hours_s, b.trial_time_s) == (40, 600, 7200, 90)
    assert (b.money, b.rate_per_h) == (20, 2.48)
    assert spec.strategy.name == "evolution" and spec.strategy.early_stop is not None
    assert spec.strategy.early_stop.name == "hyperband" and spec.strategy.early_stop.get("eta") == 3
    assert spec.pilot == ast.Pilot(3, 1, 0.2, spec.pilot.span)
    hand, nasnet = spec.baselines
    assert hand.name == "hand-designed" and hand.layers is not None
    assert [op.op for op in hand.layers] == ["conv", "max_pool", "conv", "global_avg_pool"]
    assert nasnet.model is not None and nasnet.model.name == "keras.NASNetMobile"
    assert (spec.final.top, spec.final.seeds) == (3, 3)
    assert spec.export.formats == ("onnx", "torchscript", "source")
    ex = spec.execution
    assert (ex.workers, ex.launcher, ex.storage, ex.device) == \
        (2, "joblib", "sqlite:///runs/digits.db", "auto")


def test_layer_chain_with_choice_and_pareto():
    spec = _spec("layers_cancer")
    assert [g.metric for g in spec.objective.goals] == ["val.roc_auc", "params"]
    assert spec.objective.is_multi and spec.strategy.name == "nsga2"
    choice = spec.space.items[-1]
    assert isinstance(choice, ast.LayerChoice)
    assert [[op.op for op in option] for option in choice.options] == \
        [["dense"], ["dense", "relu"], []]
    assert spec.backend == "keras"


def test_nb201_kfold_and_topk():
    spec = _spec("nb201_digits")
    sp = spec.space
    assert isinstance(sp, ast.DagCellSpace) and sp.nodes == 4 and sp.edges == 6
    assert sp.ops[0] == "none" and [i.cell for i in sp.layout] == ["cell", "reduce", "cell"]
    assert [op.op for op in sp.stem] == ["conv", "batch_norm"]
    assert spec.data.folds == 5 and spec.data.split.val == 0
    assert spec.objective.goals[0].metric == "val.top3_accuracy"
    lat = next(c for c in spec.constraints if c.subject == "latency")
    assert (lat.batch, lat.device, lat.value) == (8, "cpu", 0.02)
    target = next(c for c in spec.constraints if c.is_target)
    assert target.soft and target.value == 0.9
    assert spec.budget.trial_hours_s == 1.5 * 3600 and spec.budget.trials == 30
    assert spec.train.schedule.name == "step" and spec.final.epochs == 8


def test_file_sources_custom_ops_and_regression():
    spec = _spec("files_regression")
    d = spec.data
    assert (d.kind, d.source, d.target, d.task) == ("csv", "data/houses.csv", "price",
                                                     "regression")
    assert spec.task == "regression"
    custom = spec.space.items[1]
    assert isinstance(custom, ast.LayerOp) and custom.custom and custom.op == "my_residual_block"
    assert [u.module for u in spec.uses] == ["mypkg.ops", "mypkg.extra_ops"]
    assert spec.budget.device_hours_s == 1800 and spec.budget.rate_per_h == 2.48
    assert spec.strategy.early_stop.name == "median"
    assert spec.export.dir == "exports/"
    images = _spec("images_tpe").data
    assert (images.kind, images.source, images.image_size, images.grayscale) == \
        ("images", "data/flowers/", 32, False)
    npy = _spec("npy_grid").data
    assert (npy.kind, npy.labels, npy.normalize) == ("npy", "y.npy", "none")
    assert _spec("misc_strategies").data.kind == "npz"


def test_defaults_of_optional_blocks():
    result = parse_spec('''experiment "d" {
      data { source = sklearn.iris }
      objective { maximize val.accuracy }
      space layers { dense(units = 8) }
    }''')
    assert result.ok, result.rendered()
    spec = result.spec
    assert spec.pilot is None and spec.final is None and spec.export is None
    assert spec.execution is None and spec.baselines == () and spec.uses == ()
    assert spec.train.schedule is None and spec.train.precision == "fp32"
    assert spec.strategy.early_stop is None and spec.budget.trials == 20
    assert spec.data.normalize == "standard" and spec.data.folds is None
