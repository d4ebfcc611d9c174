"""The start of a training run from scratch: output biases at the training data's base rates."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from desktop.ml.network import ConcernNet
from training.batches import MAP_POS_WEIGHT


def base_rates(data: tuple[np.ndarray, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per concern: the constant heat map and score that minimise the BCE and score losses over the known labels.

    For the maps that is not the mean value f but w·f / (w·f + 1 - f), as positives weigh w = MAP_POS_WEIGHT.
    """
    _, masks, scores, _, _ = data
    mean = np.nanmean(masks, axis=(0, 2, 3))
    map_fraction = torch.from_numpy((MAP_POS_WEIGHT * mean / (MAP_POS_WEIGHT * mean + 1 - mean)).astype(np.float32))
    score_mean = torch.from_numpy(np.nanmean(scores, axis=0).astype(np.float32))
    return torch.nan_to_num(map_fraction, 0.01), torch.nan_to_num(score_mean, 50.0)


def start_from_priors(model: ConcernNet, map_fraction: torch.Tensor, score_mean: torch.Tensor) -> None:
    """Set the output biases to the training data's base rates (per concern) before training from scratch.

    With zero biases every heat-map pixel starts at p = 0.5 while lesions cover a few % of a map, and the
    first steps only push every map towards zero (the 'prior' initialisation of RetinaNet's focal loss
    skips that). It does not shorten the plateaus of small concerns by itself (MODEL_CARD.md): that is what
    the Dice term (`batches.map_overlap_loss`) and the normalised global head are for.
    """
    eps = 1e-3
    map_out, score_out = model.map_head[-1], model.global_head[-1]
    assert isinstance(map_out, nn.Conv2d) and isinstance(score_out, nn.Linear)
    with torch.no_grad():
        map_out.bias.copy_(torch.logit(map_fraction.clamp(eps, 1 - eps)))  # type: ignore[union-attr]
        score_out.bias[: model.n_concerns].copy_(torch.logit((score_mean / 100).clamp(eps, 1 - eps)))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
