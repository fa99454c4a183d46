"""Time a config's training step and sliding-window inference, in one
process, on its own data loader, model and optimizer.

    python tools/analysis_tools/benchmark.py CONFIG [CONFIG ...] \
        [--steps 10] [--warmup 2] [--images 2] [--cfg-options ...]

Per config (one after the other, in this process, so the figures compare):

- ``train step``: ``model.train_step`` (preprocessing, forward, losses,
  backward, optimizer step) on batches of the config's ``train_dataloader``
  with the optimizer ``build_optim_wrapper`` makes from
  ``optim_wrapper`` (its constructor and ``paramwise_cfg``);
- ``encoder forward``: the backbone of ``model.backbone`` without a spatial
  path (``spatial_channels=None``; the ViT alone) on the same preprocessed
  batches, without autograd, and the ratio of the two;
- ``slide``: sliding-window inference (``model.test_cfg``) of the first
  ``--images`` images of ``test_dataloader`` (each timed once after an
  untimed run), the model's own against mmseg's
  ``EncoderDecoder.slide_inference`` loop on the same model, and the largest
  difference of their logits.

The encoder is randomly initialised (``model.backbone.init_cfg=None``): no
weights file is needed. Batches are drawn before timing; each figure is the
median of the timed repeats after ``--warmup`` untimed ones.
"""
import argparse
import statistics
import time
from itertools import islice
from typing import Callable, Dict, List, Optional

import torch
from mmengine.config import DictAction
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

from setr_fundus.utils import load_config


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Time training steps and sliding-window inference')
    parser.add_argument('configs', nargs='+', help='config file(s)')
    parser.add_argument('--steps', type=int, default=10,
                        help='timed training steps (default 10)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed steps first (default 2)')
    parser.add_argument('--images', type=int, default=2,
                        help='test images for sliding windows (default 2; '
                        '0 skips them)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of every config, e.g. '
        'train_dataloader.batch_size=4')
    return parser.parse_args(argv)


def median_seconds(fn: Callable[[], object], warmup: int,
                   repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` calls after ``warmup``."""
    times = []
    for i in range(warmup + repeat):
        start = time.perf_counter()
        fn()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(config: str, options: Optional[dict] = None):
    """The config's model (random weights), its optimizer wrapper built by
    ``build_optim_wrapper`` from ``optim_wrapper``, and its encoder alone
    (the backbone without a spatial path, holding the model's weights)."""
    cfg = load_config(config, options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)  # torch's initialisation: timing only
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    backbone_cfg = cfg.model.backbone.copy()
    if 'spatial_channels' in backbone_cfg:
        backbone_cfg.spatial_channels = None  # the ViT alone
    encoder = MODELS.build(backbone_cfg)
    encoder.load_state_dict(model.backbone.state_dict(), strict=False)
    encoder.eval()
    return cfg, model, optim_wrapper, encoder


def benchmark(config: str, args: argparse.Namespace) -> Dict[str, float]:
    """Measure one config (see the module docstring)."""
    cfg, model, optim_wrapper, encoder = build(config, args.cfg_options)
    count = args.warmup + args.steps
    loader = Runner.build_dataloader(cfg.train_dataloader)
    batches: List[dict] = list(islice(iter(loader), count))
    if len(batches) < count:
        raise ValueError(f'{config}: the training loader has only '
                         f'{len(batches)} batches; lower --steps/--warmup')
    model.train()
    steps = iter(batches)
    step = median_seconds(lambda: model.train_step(next(steps), optim_wrapper),
                          args.warmup, args.steps)
    inputs = [model.data_preprocessor(b, True)['inputs'] for b in batches]
    feeds = iter(inputs)
    with torch.no_grad():
        forward = median_seconds(lambda: encoder(next(feeds)), args.warmup,
                                 args.steps)

    results = {
        'train step (s)': step,
        'encoder forward (s)': forward,
        'train step / encoder forward': step / forward,
    }
    if args.images > 0:
        results.update(slide_figures(model, cfg, args.images))
    return results


def slide_figures(model, cfg, images: int) -> Dict[str, float]:
    """Sliding-window inference of the first ``images`` test images, the
    model's own against mmseg's loop (see the module docstring)."""
    model.eval()
    test_loader = Runner.build_dataloader(cfg.test_dataloader)
    ours, stock, diff = [], [], 0.0
    for batch in islice(iter(test_loader), images):
        data = model.data_preprocessor(batch, False)
        metas = [s.metainfo for s in data['data_samples']]
        with torch.no_grad():
            ours.append(median_seconds(
                lambda: model.slide_inference(data['inputs'], metas), 1, 1))
            stock.append(median_seconds(
                lambda: EncoderDecoder.slide_inference(
                    model, data['inputs'], metas), 1, 1))
            diff = max(diff, float((
                model.slide_inference(data['inputs'], metas) -
                EncoderDecoder.slide_inference(model, data['inputs'],
                                               metas)).abs().max()))
    return {
        'slide, model (s per image)': statistics.median(ours),
        'slide, mmseg loop (s per image)': statistics.median(stock),
        'slide speed-up': statistics.median(stock) / statistics.median(ours),
        'slide max |logit difference|': diff,
    }


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    results = {config: benchmark(config, args) for config in args.configs}
    keys = next(iter(results.values()))
    print(f'threads {torch.get_num_threads()}, torch {torch.__version__}, '
          f'{args.steps} steps after {args.warmup}, {args.images} images')
    print('| measurement | ' + ' | '.join(results) + ' |')
    print('|---|' + '---:|' * len(results))
    for key in keys:
        print(f'| {key} | ' +
              ' | '.join(f'{r[key]:.4g}' for r in results.values()) + ' |')


if __name__ == '__main__':
    main()
