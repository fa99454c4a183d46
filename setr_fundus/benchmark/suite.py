"""Run every benchmark measurement on one config and tabulate the results."""
import gc
import platform
import time
from typing import Callable, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from . import measure
from .timing import cpu_peak_supported
from .variants import (build_variant, encoder_is_frozen, synthetic_batch,
                       trainable_optim_wrapper)

DRIVE_SIZE = (584, 565)


def _crop_size(cfg: Config) -> Tuple[int, int]:
    size = cfg.model.get('data_preprocessor',
                         {}).get('size') or cfg.get('crop_size')
    if size is None:
        raise KeyError('benchmark needs the training input size in '
                       'model.data_preprocessor.size or crop_size')
    return tuple(size)


def _device_name(device: torch.device) -> str:
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _free(device: torch.device) -> None:
    gc.collect()
    if device.type == 'cuda':
        torch.cuda.empty_cache()


def memory_method(device: torch.device) -> str:
    """How peak memory is measured on ``device`` (see :mod:`.timing`).

    Args:
        device (torch.device): The benchmark device.

    Returns:
        str: A one-line description.
    """
    if device.type == 'cuda':
        return ('torch.cuda.max_memory_allocated over one step (weights, '
                'optimizer state, activations, gradients)')
    if cpu_peak_supported():
        return ('growth of the process RSS over one step (VmHWM reset via '
                '/proc/self/clear_refs, after malloc_trim; excludes weights '
                'and optimizer state that exist before the step)')
    return 'unavailable on this system'


def run_benchmark(cfg: Config,
                  device: str = 'cpu',
                  repeat: int = 5,
                  warmup: int = 1,
                  image_size: Tuple[int, int] = DRIVE_SIZE,
                  data_images: int = 8,
                  log: Optional[Callable[[str], None]] = None) -> dict:
    """Measure training, encoder, FLOPs, sliding-window inference and data
    loading for ``cfg`` in one run.

    No weights file is read (``init_cfg`` is dropped). The optimizer of
    each training variant holds only the trainable parameters.

    Args:
        cfg (Config): A setr_fundus config (FundusEncoderDecoder with a
            VFMViT backbone, FundusVesselDataset for training).
        device (str): 'cpu' or 'cuda[:N]'. Defaults to 'cpu'.
        repeat (int): Timed repeats per measurement (medians are reported).
            Defaults to 5.
        warmup (int): Untimed repeats first. Defaults to 1.
        image_size (tuple): (H, W) of the sliding-window image.
            Defaults to DRIVE's (584, 565).
        data_images (int): Images written for the data-loading measurement.
            Defaults to 8.
        log (callable, optional): Progress messages; defaults to
            ``print_log``.

    Returns:
        dict: ``meta``, ``train_step`` (per variant), ``encoder_forward``,
        ``step_over_encoder``, ``complexity``, ``slide_inference`` and
        ``data_loading``; see :func:`format_table`.
    """
    log = log or (lambda msg: print_log(msg, logger='current'))
    dev = torch.device(device)
    if dev.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError(f'--device {device}: CUDA is not available')
    if dev.type == 'cuda':  # as the runner sets it for training
        torch.backends.cudnn.benchmark = bool(
            cfg.get('env_cfg', {}).get('cudnn_benchmark', False))
    start = time.perf_counter()
    batch_size = int(cfg.train_dataloader.batch_size)
    crop = _crop_size(cfg)
    batch = synthetic_batch(batch_size, crop)
    res = dict(
        meta=dict(
            device=str(dev),
            device_name=_device_name(dev),
            threads=torch.get_num_threads(),
            torch=torch.__version__,
            repeat=repeat,
            warmup=warmup,
            batch_size=batch_size,
            crop_size=list(crop),
            image_size=list(image_size),
            memory_method=memory_method(dev)),
        train_step={},
        encoder_forward={},
        complexity={})
    frozen = True
    for variant in ('this_config', 'encoder_unfrozen', 'stock_mmseg'):
        log(f'benchmark: building {variant}')
        model = build_variant(cfg.model, variant, dev, frozen)
        if variant == 'this_config':
            frozen = encoder_is_frozen(model)
        wrapper = trainable_optim_wrapper(model, cfg.optim_wrapper)
        log(f'benchmark: {variant}: training step')
        res['train_step'][variant] = measure.train_step(
            model, wrapper, batch, dev, repeat, warmup)
        res['train_step'][variant]['encoder_frozen'] = encoder_is_frozen(model)
        if variant != 'encoder_unfrozen':
            key = 'ours' if variant == 'this_config' else 'stock'
            log(f'benchmark: {variant}: encoder forward, FLOPs')
            res['encoder_forward'][key] = measure.encoder_forward(
                model, batch, dev, repeat, warmup)
            res['complexity'][key] = measure.complexity(model, crop, dev)
        if variant == 'this_config':
            log('benchmark: sliding-window inference, ours vs mmseg')
            res['slide_inference'] = measure.slide_inference(
                model, image_size, dev, repeat, warmup)
        del model, wrapper
        _free(dev)
    steps = res['train_step']
    res['step_over_encoder'] = dict(
        ours=steps['this_config']['time_s'] / res['encoder_forward']['ours'],
        stock=steps['stock_mmseg']['time_s'] / res['encoder_forward']['stock'])
    log('benchmark: data loading, cache vs no cache')
    res['data_loading'] = measure.data_loading(cfg.train_dataloader.dataset,
                                               repeat, warmup, data_images)
    res['meta']['wall_s'] = time.perf_counter() - start
    return res


def _fmt(value: Optional[float]) -> str:
    """Three significant digits, trailing zeros kept (1.00, 0.857, 270)."""
    if value is None:
        return 'n/a'
    if value >= 100:
        return f'{value:.0f}'
    return f'{value:#.3g}'.rstrip('.')


def _ratio(num: Optional[float], den: Optional[float]) -> str:
    if not num or not den:
        return ''
    return f'{num / den:.2f}x'


def table_rows(res: dict) -> List[Tuple[str, str, str, str]]:
    """The rows of the benchmark table.

    Args:
        res (dict): Output of :func:`run_benchmark`.

    Returns:
        list[tuple[str, str, str, str]]: (measurement, setr_fundus,
        baseline, gain) per row; gain > 1 means setr_fundus is better.
    """
    meta, steps = res['meta'], res['train_step']
    ours, unfrozen, stock = (
        steps[k] for k in ('this_config', 'encoder_unfrozen', 'stock_mmseg'))
    state = 'frozen' if ours['encoder_frozen'] else 'trainable'
    h, w = meta['crop_size']
    rows = [
        (f'train step (s), encoder {state}, batch {meta["batch_size"]} x '
         f'{h}x{w}', _fmt(ours['time_s']), _fmt(stock['time_s']),
         _ratio(stock['time_s'], ours['time_s'])),
        ('train step (s), encoder unfrozen', _fmt(unfrozen['time_s']), '', ''),
        (f'peak memory (MiB), encoder {state}', _fmt(ours['peak_mib']),
         _fmt(stock['peak_mib']), _ratio(stock['peak_mib'], ours['peak_mib'])),
        ('peak memory (MiB), encoder unfrozen', _fmt(unfrozen['peak_mib']), '',
         ''),
        ('trainable params (M)', _fmt(ours['trainable_params'] / 1e6),
         _fmt(stock['trainable_params'] / 1e6), ''),
        ('encoder forward alone (s), no grad',
         _fmt(res['encoder_forward']['ours']),
         _fmt(res['encoder_forward']['stock']), ''),
        ('train step / encoder forward',
         _fmt(res['step_over_encoder']['ours']),
         _fmt(res['step_over_encoder']['stock']), ''),
    ]
    kinds = ((f'GFLOPs per {h}x{w} image', 'gflops'), ('params (M)',
                                                       'params_m'))
    for kind, key in kinds:
        for part in (*measure.COMPONENTS, 'total'):
            mine = res['complexity']['ours'][part][key]
            theirs = res['complexity']['stock'][part][key]
            rows.append((f'{kind}, {part}', _fmt(mine), _fmt(theirs),
                         _ratio(theirs, mine)))
    rows.append(('decoder (neck + head) GFLOPs / encoder GFLOPs (%)',
                 *(_fmt(_decoder_share(res['complexity'][model]))
                   for model in ('ours', 'stock')), ''))
    slide = res['slide_inference']
    ih, iw = meta['image_size']
    rows.append((f'slide inference, {ih}x{iw} image, {slide["windows"]} '
                 f'windows (img/s; baseline: mmseg slide_inference, same '
                 f'model)', _fmt(slide['ours_img_per_s']),
                 _fmt(slide['mmseg_img_per_s']),
                 _ratio(slide['mmseg_s'], slide['ours_s'])))
    data = res['data_loading']
    rows.append(('train pipeline (samples/s, main process; baseline: '
                 'cache=False)', _fmt(data['cache_samples_per_s']),
                 _fmt(data['no_cache_samples_per_s']),
                 _ratio(data['cache_samples_per_s'],
                        data['no_cache_samples_per_s'])))
    return rows


def _decoder_share(complexity: dict) -> float:
    """Decoder FLOPs in percent of the encoder's."""
    decoder = complexity['neck']['gflops'] + complexity['head']['gflops']
    return 100 * decoder / complexity['encoder']['gflops']


def format_table(res: dict, config: str = '') -> str:
    """One Markdown table of the results, with a header and notes.

    Args:
        res (dict): Output of :func:`run_benchmark`.
        config (str): Config path shown in the header. Defaults to ''.

    Returns:
        str: The table text.
    """
    meta = res['meta']
    header = ('| measurement | setr_fundus | stock mmseg / baseline | gain |',
              '|---|---:|---:|---:|')
    body = [f'| {" | ".join(row)} |' for row in table_rows(res)]
    slide = res['slide_inference']
    notes = [
        f'{config} on {meta["device"]} ({meta["device_name"]}, '
        f'{meta["threads"]} threads), torch {meta["torch"]}: medians of '
        f'{meta["repeat"]} after {meta["warmup"]} warm-up, '
        f'{meta["wall_s"]:.0f} s in all.',
        '',
        *header,
        *body,
        '',
        'Stock mmseg: EncoderDecoder + VisionTransformer + MLANeck + '
        'SETRMLAHead of the same size, encoder frozen with mmseg\'s '
        '`frozen_exclude=[]` (requires_grad=False) when ours is. Optimizers '
        'hold only trainable parameters. gain > 1: setr_fundus is faster, '
        'smaller or cheaper.',
        f'Peak memory: {meta["memory_method"]}.',
        f'Slide inference: slide_batch_size {slide["slide_batch_size"]}, '
        f'logits max |ours - mmseg| = {slide["max_abs_diff"]:.1e}.',
    ]
    return '\n'.join(notes)
