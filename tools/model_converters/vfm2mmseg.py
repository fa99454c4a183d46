"""Convert a ViT checkpoint (VisionFM, timm/DINO, RETFound/MAE, mmseg, ...)
into a plain state dict in VFMViT key names.

Example::

    python tools/model_converters/vfm2mmseg.py \
        VFM_Fundus_weights.pth pretrain/vfm_fundus_vitb16.pth
"""
import argparse
import os
import os.path as osp

import torch

from setr_fundus.models.backbones import (VFMViT, infer_vit_arch,
                                          load_vit_state_dict,
                                          match_state_dict)


def parse_args() -> argparse.Namespace:
    """Parse the command line.

    Returns:
        argparse.Namespace: ``src``, ``dst`` and ``prefix``.
    """
    parser = argparse.ArgumentParser(
        description='Convert a ViT checkpoint into VFMViT key names.')
    parser.add_argument('src', help='source checkpoint path')
    parser.add_argument('dst', help='output state dict path')
    parser.add_argument(
        '--prefix',
        default=None,
        help='only convert keys with this prefix (stripped); by default '
        '"module." and "backbone." are stripped wherever present')
    return parser.parse_args()


def main() -> None:
    """Convert ``src`` to ``dst`` and print the load report."""
    args = parse_args()
    state_dict, layout = load_vit_state_dict(args.src, args.prefix)
    model_args = infer_vit_arch(state_dict)
    with torch.device('meta'):
        model = VFMViT(**model_args, out_indices=-1)
    expected = {k: v.shape for k, v in model.state_dict().items()}
    weights, report = match_state_dict(state_dict, expected, args.src,
                                       model.patch_resolution)
    report.layout = layout
    print(f'Inferred VFMViT arguments: {model_args}')
    print(report)
    if osp.dirname(args.dst):
        os.makedirs(osp.dirname(args.dst), exist_ok=True)
    torch.save(weights, args.dst)
    print(f'Saved {len(weights)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
