"""The concern CNN as a torch network: one compact encoder, a dense head (a heat map per concern) and a
global head (concern scores and skin type). Imports torch, so only training and the app's torch fallback
import it; its shape comes from a `ModelConfig` (desktop/ml/model.py).
"""

from __future__ import annotations

import torch
from torch import nn

from desktop.ml.model import DEFAULT_CONFIG, ModelConfig


def _separable(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, 1, 1, groups=cout, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class ConcernNet(nn.Module):
    """Input: N×3×S×S normalised RGB. Output: (map logits N×C×M×M, score logits N×C, skin-type logits N×T)."""

    def __init__(self, config: ModelConfig = DEFAULT_CONFIG) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        head = config.head_channels
        n_concerns, n_types = len(config.concerns), len(config.skin_types)
        self.stem = nn.Sequential(nn.Conv2d(3, c[0], 3, 2, 1, bias=False), nn.BatchNorm2d(c[0]), nn.ReLU(inplace=True))
        self.s1 = _separable(c[0], c[1], 2)  # /4: the map resolution
        self.s2 = _separable(c[1], c[2], 2)  # /8
        self.s3 = _separable(c[2], c[3], 2)  # /16
        self.s4 = _separable(c[3], c[4], 2)  # /32
        self.lateral = nn.ModuleList([nn.Conv2d(ch, head, 1) for ch in (c[1], c[2], c[3])])
        self.map_head = nn.Sequential(nn.Conv2d(head, head, 3, 1, 1), nn.ReLU(inplace=True),
                                      nn.Conv2d(head, n_concerns, 1))
        # A concern's pooled map (mean probability) differs between faces by hundredths where the encoder's
        # features differ by units, so without a normalisation the head is slow to weigh the maps at all.
        pooled = c[4] + n_concerns * 2
        norm: list[nn.Module] = [nn.BatchNorm1d(pooled)] if config.pooled_norm else []
        self.global_head = nn.Sequential(*norm, nn.Linear(pooled, 96), nn.ReLU(inplace=True),
                                         nn.Dropout(0.1), nn.Linear(96, n_concerns + n_types))
        self.n_concerns = n_concerns

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        f1 = self.s1(self.stem(x))
        f2 = self.s2(f1)
        f3 = self.s3(f2)
        f4 = self.s4(f3)
        size = f1.shape[-2:]
        fused = self.lateral[0](f1)
        fused = fused + nn.functional.interpolate(self.lateral[1](f2), size=size, mode="bilinear", align_corners=False)
        fused = fused + nn.functional.interpolate(self.lateral[2](f3), size=size, mode="bilinear", align_corners=False)
        maps = self.map_head(fused)
        probs = torch.sigmoid(maps)
        pooled = torch.cat([f4.mean(dim=(2, 3)), probs.mean(dim=(2, 3)), probs.amax(dim=(2, 3))], dim=1)
        out = self.global_head(pooled)
        return maps, out[:, : self.n_concerns], out[:, self.n_concerns:]

