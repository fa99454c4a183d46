"""FLOPs and parameters of a config's model, per part (as mmseg's
``tools/analysis_tools/get_flops.py``, with the parts split out).

    python tools/analysis_tools/get_flops.py CONFIG [--shape 224 224]

Counts mmengine's ``get_model_complexity_info`` for one image of
``--shape`` (default: the encoder's ``img_size``): the whole model, the
encoder without its spatial path, and the difference, the decoder (neck,
decode head and the backbone's spatial path), also in percent of the
encoder.
"""
import argparse
from typing import List, Optional

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from setr_fundus.utils import load_config


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='FLOPs of a config')
    parser.add_argument('config', help='config file')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="input size (default: the backbone's img_size)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    return parser.parse_args(argv)


def complexity(model: torch.nn.Module, shape) -> dict:
    """FLOPs and parameters of ``model`` on one ``(3, H, W)`` image."""
    model.eval()
    info = get_model_complexity_info(
        model, inputs=(torch.zeros(1, 3, *shape), ), show_table=False,
        show_arch=False)
    params = sum(p.numel() for p in model.parameters())
    return dict(flops=info['flops'], params=params)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    cfg.model.backbone.init_cfg = None
    shape = args.shape or cfg.model.backbone.get('img_size', (224, 224))
    shape = (shape, shape) if isinstance(shape, int) else tuple(shape)
    model = MODELS.build(cfg.model)
    encoder_cfg = cfg.model.backbone.copy()
    if 'spatial_channels' in encoder_cfg:
        encoder_cfg.spatial_channels = None  # the ViT alone
    total = complexity(model, shape)
    encoder = complexity(MODELS.build(encoder_cfg), shape)
    decoder = {k: total[k] - encoder[k] for k in total}
    print(f'{args.config}, input 1x3x{shape[0]}x{shape[1]}')
    print('| part | GFLOPs | params (M) |\n|---|---:|---:|')
    for name, part in (('encoder', encoder), ('decoder', decoder),
                       ('total', total)):
        print(f'| {name} | {part["flops"] / 1e9:.4g} | '
              f'{part["params"] / 1e6:.4g} |')
    print(f'decoder / encoder FLOPs: '
          f'{100 * decoder["flops"] / encoder["flops"]:.2f} %')


if __name__ == '__main__':
    main()
