"""PyTorch backend: Architecture IR → nn.Sequential; deterministic CPU training."""

from nasdsl.backends.torch.backend import TorchBackend

__all__ = ["TorchBackend"]
