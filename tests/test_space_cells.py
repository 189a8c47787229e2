"""Cell spaces (NASNet cells, NAS-Bench-201) from compiled config dicts: sampling, the IR's
JSON round trip and the static measures — no deep-learning framework involved."""

import subprocess
import sys

import optuna
import pytest

from nasdsl.space.cells import Block, NasnetCell, Nb201Cell, nasnet_cell_cost
from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.ops import CELL_OPS, NB201_OPS, OPS, ShapeError, cell_op_cost
from nasdsl.space.search_space import FixedSuggest, OptunaSuggest, SearchSpace
from nasdsl.space.shapes import measure

TRAIN = {"epochs": 1, "batch_size": 32, "optimizer": {"name": "adam", "lr": 1e-3}}

CELLS = {
    "kind": "cells",
    "stem": [{"op": "conv", "params": {"channels": {"dist": "choice", "options": [8, 12]},
                                       "kernel": 3}}],
    "normal": {"blocks": {"dist": "int", "low": 1, "high": 3, "step": 1},
               "ops": ["sep_conv_3x3", "sep_conv_5x5", "conv_3x3", "max_pool_3x3",
                       "avg_pool_3x3", "identity", "dil_conv_3x3"],
               "combine": {"dist": "choice", "options": ["add", "concat"]}},
    "reduction": {"blocks": 2, "ops": ["max_pool_3x3", "sep_conv_3x3", "identity", "none"],
                  "combine": "add"},
    "layout": [{"cell": "normal", "count": {"dist": "choice", "options": [1, 2]}},
               {"cell": "reduction", "count": 1}, {"cell": "normal", "count": 1}],
    "head": [{"op": "global_avg_pool", "params": {}},
             {"op": "dropout", "params": {"rate": {"dist": "uniform", "low": 0.0, "high": 0.4}}},
             {"op": "dense", "params": {}}],
}

NB201 = {"kind": "nb201", "cells": 1, "channels": 8}


def config(space, source="sklearn.digits"):
    return {"data": {"source": source}, "train": TRAIN, "space": space}


def sample(space, n, seed=0):
    ss = SearchSpace(config(space))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append((ss.sample(OptunaSuggest(trial)), dict(trial.params)))
        study.tell(trial, 0.0)
    return out


@pytest.mark.parametrize("space", [CELLS, NB201], ids=["cells", "nb201"])
def test_sampled_archs_round_trip_and_measure(space):
    for arch, params in sample(space, 12):
        assert Architecture.from_json(arch.to_json()) == arch
        assert SearchSpace(config(space)).sample(FixedSuggest(params)) == arch
        static = measure(arch)
        assert static.shapes[-1] == (10,) and static.params > 0 and static.flops > 0
        assert static.model_bytes > 4 * static.params  # batch-norm statistics
        assert arch.layers[-1] == Layer("dense", {"units": 10, "activation": "linear",
                                                  "bias": True})
        assert arch.describe()


def test_cells_layout_channels_and_decisions():
    arch, params = sample(CELLS, 1, seed=3)[0]
    cells = [NasnetCell.from_params(la.params) for la in arch.layers if la.op == "cell"]
    stem_channels = arch.layers[0].params["channels"]
    normals = params["space.layout.0.count"]
    assert len(cells) == normals + 2
    assert [c.reduction for c in cells] == [False] * normals + [True, False]
    assert [c.channels for c in cells] == [stem_channels] * normals + [2 * stem_channels] * 2
    assert cells[0] == NasnetCell(cells[0].blocks, stem_channels, False, cells[0].combine)
    assert all(c.blocks == cells[0].blocks for c in cells if not c.reduction)
    assert len(cells[normals].blocks) == 2
    assert {"space.normal.b0.in0", "space.normal.b0.op1", "space.reduction.b1.in1",
            "space.stem.0.conv.channels", "space.head.1.dropout.rate"} <= set(params)
    shapes = measure(arch).shapes
    assert shapes[normals + 1][1:] == (4, 4)  # the reduction halves 8x8


def test_nb201_skeleton():
    arch, params = sample({**NB201, "cells": 2}, 1)[0]
    ops = [la.op for la in arch.layers]
    assert ops == ["conv", "batch_norm", "nb201_cell", "nb201_cell", "res_reduce", "nb201_cell",
                   "nb201_cell", "res_reduce", "nb201_cell", "nb201_cell", "batch_norm", "relu",
                   "global_avg_pool", "dense"]
    assert sorted(params) == sorted(f"space.cell.e{i}_{j}" for j in range(1, 4)
                                    for i in range(j))
    assert [la.params["channels"] for la in arch.layers if la.op == "res_reduce"] == [16, 32]
    cell = Nb201Cell.from_params(arch.layers[2].params)
    assert len(cell.edges) == 6 and set(cell.edges) <= set(NB201_OPS)
    assert measure(arch).shapes[-2] == (32,)


def test_nb201_all_skip_cell_has_no_params():
    arch = Architecture((1, 8, 8), "classification", 10, (
        Layer("conv", {"channels": 4, "kernel": 3, "bias": False}),
        Layer("nb201_cell", Nb201Cell(4, ("skip_connect",) * 6).to_params()),
        Layer("global_avg_pool"), Layer("dense", {"units": 10})),
        sample(NB201, 1)[0][0].training)
    assert measure(arch).params == 1 * 4 * 9 + 4 * 10 + 10


def test_nasnet_cell_params_by_hand():
    # one block: sep_conv_3x3 on state 1 + identity on state 0, 4 channels, inputs 4 ch
    cell = NasnetCell((Block((1, 0), ("sep_conv_3x3", "identity")),), 4)
    cost = nasnet_cell_cost(cell, (4, 8, 8), (4, 8, 8))
    pre = 2 * (4 * 4 + 8)  # two ReLU-conv1x1-BN
    sep = 2 * 4 * 9 + 16 + 16 + 8 + 8
    assert cost.params == pre + sep
    assert cost.shape == (4, 8, 8)
    reduction = NasnetCell(cell.blocks, 8, reduction=True)
    cost = nasnet_cell_cost(reduction, (4, 8, 8), (4, 8, 8))
    fr = 8 * 8 + 16  # identity on an input of a reduction cell: factorized reduce 8→8
    assert cost.params == 2 * (4 * 8 + 16) + (2 * 8 * 9 + 64 + 64 + 16 + 16) + fr
    assert cost.shape == (8, 4, 4)


def test_unused_blocks_are_concatenated():
    cell = NasnetCell((Block((0, 1), ("identity", "identity")),
                       Block((0, 1), ("max_pool_3x3", "identity")),
                       Block((2, 1), ("identity", "none"))), 6)
    assert cell.unused == (3, 4)
    assert nasnet_cell_cost(cell, (6, 8, 8), (6, 8, 8)).shape == (12, 8, 8)
    assert nasnet_cell_cost(cell, (12, 8, 8), (6, 4, 4)).shape == (12, 4, 4)  # reduce skip


@pytest.mark.parametrize("name", CELL_OPS)
def test_every_cell_op_keeps_shape_rules(name):
    for stride in (1, 2):
        cost = cell_op_cost(name, 6, 6, 7, 8, stride)
        assert cost.shape == (6, (7 - 1) // stride + 1, (8 - 1) // stride + 1)
        assert cost.params >= 0 and cost.buffers >= 0
    assert OPS[name].doc and OPS[name].params


def test_errors_are_clear():
    with pytest.raises(ValueError, match="image dataset"):
        SearchSpace(config(CELLS, "sklearn.iris"))
    bad = {**CELLS, "normal": {**CELLS["normal"], "ops": ["sep_conv_3x3", "warp_drive"]}}
    with pytest.raises(ValueError, match="warp_drive"):
        sample(bad, 1)
    with pytest.raises(ShapeError):
        NasnetCell((Block((0, 2), ("identity", "identity")),), 4)
    with pytest.raises(ShapeError, match="keeps the channels"):
        cell_op_cost("max_pool_3x3", 4, 8, 8, 8, 1)


def test_space_modules_import_no_framework():
    code = ("import sys, nasdsl.space.search_space, nasdsl.space.cell_space, nasdsl.space.ops\n"
            "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
