"""Models of a config with seeded random weights, for tests that need a
model or a weights file but no pretrained checkpoint."""
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from torch import nn


def random_model(cfg: Config) -> nn.Module:
    """``cfg.model`` built with ``torch.manual_seed(0)`` weights and no
    backbone ``init_cfg``, in eval mode."""
    init_default_scope('mmseg')
    model_cfg = cfg.model.deepcopy()
    model_cfg.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model.eval()
