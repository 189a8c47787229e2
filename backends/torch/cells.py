"""Composite IR layers as torch modules: NASNet cells, NB201 cells, NB201 residual reduce.

Semantics follow nasdsl.space.cells exactly (see its docstring).
"""

from __future__ import annotations

import torch
from nasdsl.backends.torch.ops import FactorizedReduce, ReLUConvBN, cell_op
from torch import nn

from nasdsl.space.cells import NasnetCell, Nb201Cell


class NasnetCellModule(nn.Module):
    """A NASNet-style cell; forward(skip, x) with skip the older input."""

    def __init__(self, cell: NasnetCell, skip: tuple[int, ...], x: tuple[int, ...]):
        super().__init__()
        self.cell = cell
        c = cell.channels
        self.pre0: nn.Module = nn.Identity()
        self.pre1: nn.Module = nn.Identity()
        if 0 in cell.read:  # an unread input is not preprocessed
            self.pre0 = (ReLUConvBN(skip[0], c, 1, 1) if skip[1:] == x[1:]
                         else FactorizedReduce(skip[0], c))
        if 1 in cell.read:
            self.pre1 = ReLUConvBN(x[0], c, 1, 1)
        self.ops = nn.ModuleList()
        self.projections = nn.ModuleList()
        for block in cell.blocks:
            for state, op in zip(block.inputs, block.ops, strict=True):
                self.ops.append(cell_op(op, c, c, cell.stride(state)))
            if cell.combine == "concat":
                self.projections.append(ReLUConvBN(2 * c, c, 1, 1))

    def forward(self, skip: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The concatenated unused block outputs."""
        states = [self.pre0(skip), self.pre1(x)]
        for b, block in enumerate(self.cell.blocks):
            a = self.ops[2 * b](states[block.inputs[0]])
            c = self.ops[2 * b + 1](states[block.inputs[1]])
            if self.cell.combine == "add":
                states.append(a + c)
            else:
                states.append(self.projections[b](torch.cat([a, c], dim=1)))
        unused = self.cell.unused
        if len(unused) == 1:
            return states[unused[0]]
        return torch.cat([states[s] for s in unused], dim=1)


class Nb201CellModule(nn.Module):
    """A NAS-Bench-201 cell: node j = Σ_i op(i→j)(node i); output the last node."""

    def __init__(self, cell: Nb201Cell, channels: int):
        super().__init__()
        self.cell = cell
        self.edges = nn.ModuleList(cell_op(op, channels, channels, 1)
                                   for _, _, op in cell.edge_list())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the DAG."""
        nodes = [x]
        edge = iter(self.edges)
        for j in range(1, self.cell.nodes):
            terms = [next(edge)(nodes[i]) for i in range(j)]
            nodes.append(sum(terms[1:], terms[0]))
        return nodes[-1]


class ResReduceModule(nn.Module):
    """NB201 residual block, stride 2: conv branch + avg-pool/1×1-conv shortcut."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1)
        self.shortcut = nn.Sequential(
            nn.AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False),
            nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Half the size, `c_out` channels."""
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)
