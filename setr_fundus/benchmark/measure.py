"""The benchmark's measurements, one function each."""
import copy
import math
import tempfile
from typing import Dict, List, Tuple

import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.jit_handles import get_shape
from mmengine.optim import OptimWrapper
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import DATASETS
from torch import nn

from ..datasets.synthetic import write_drive_layout
from ..models.decode_heads import VesselMLAHead
from .timing import median_time, peak_memory_mib

_AGGREGATION = ('lateral_convs', 'level_convs', 'fuse_conv')
COMPONENTS = ('encoder', 'neck', 'head')


def train_step(model: nn.Module, optim_wrapper: OptimWrapper, batch: dict,
               device: torch.device, repeat: int, warmup: int) -> dict:
    """Time one training step and measure its peak memory.

    The step is mmengine's ``model.train_step``: data preprocessing,
    forward, losses, backward and the optimizer step, as the runner does it.

    Args:
        model (nn.Module): Segmentor on ``device``.
        optim_wrapper (OptimWrapper): Its optimizer wrapper.
        batch (dict): A dataloader batch (see ``synthetic_batch``).
        device (torch.device): Device.
        repeat (int): Timed steps.
        warmup (int): Untimed steps first.

    Returns:
        dict: ``time_s`` (median), ``peak_mib`` (one further step, see
        :mod:`.timing`; None where unsupported) and ``trainable_params``.
    """
    model.train()

    def step() -> None:
        model.train_step(batch, optim_wrapper)

    return dict(
        time_s=median_time(step, device, repeat, warmup),
        peak_mib=peak_memory_mib(step, device),
        trainable_params=sum(p.numel() for p in model.parameters()
                             if p.requires_grad))


def encoder_forward(model: nn.Module, batch: dict, device: torch.device,
                    repeat: int, warmup: int) -> float:
    """Median time of the encoder alone on the preprocessed batch, without
    autograd: the floor of a frozen-encoder training step.

    Args:
        model (nn.Module): Segmentor on ``device``.
        batch (dict): A dataloader batch.
        device (torch.device): Device.
        repeat (int): Timed calls.
        warmup (int): Untimed calls first.

    Returns:
        float: Seconds.
    """
    model.train()
    with torch.no_grad():
        inputs = model.data_preprocessor(batch, True)['inputs']
        return median_time(lambda: model.backbone(inputs), device, repeat,
                           warmup)


def _sdpa_flops(inputs: List, outputs: List) -> int:
    """FLOPs of ``scaled_dot_product_attention``: Q K^T and A V products."""
    q, k, v = (get_shape(x) for x in inputs[:3])
    return math.prod(q[:-1]) * k[-2] * (q[-1] + v[-1])


def _component_modules(model: nn.Module) -> Dict[str, List[str]]:
    """Module names making up encoder, neck (level aggregation) and head."""
    if model.with_neck:
        return dict(encoder=['backbone'], neck=['neck'], head=['decode_head'])
    if isinstance(model.decode_head, VesselMLAHead):
        rest = [
            f'decode_head.{name}'
            for name, _ in model.decode_head.named_children()
            if name not in _AGGREGATION
        ]
        return dict(
            encoder=['backbone'],
            neck=[f'decode_head.{name}' for name in _AGGREGATION],
            head=rest)
    return dict(encoder=['backbone'], neck=[], head=['decode_head'])


def complexity(model: nn.Module, crop_size: Tuple[int, int],
               device: torch.device) -> Dict[str, dict]:
    """FLOPs and parameters per component for one image of ``crop_size``.

    Counted by mmengine's :class:`FlopAnalyzer` on the model's tensor-mode
    forward (one multiply-add counts as one FLOP), with a handle added for
    ``scaled_dot_product_attention``, which mmengine does not count. For
    :class:`VesselMLAHead`, "neck" is its level aggregation (lateral, level
    and fuse convolutions) and "head" the rest, mirroring mmseg's
    ``MLANeck`` + ``SETRMLAHead``.

    Args:
        model (nn.Module): Segmentor on ``device``.
        crop_size (tuple): (H, W) of the image.
        device (torch.device): Device.

    Returns:
        dict: For each of ``encoder``, ``neck``, ``head`` and ``total``:
        ``gflops`` and ``params_m`` (millions).
    """
    model.eval()
    inputs = torch.zeros(1, 3, *crop_size, device=device)
    analyzer = FlopAnalyzer(model, (inputs, ))
    analyzer.set_op_handle('aten::scaled_dot_product_attention', _sdpa_flops)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings('none')
    flops = analyzer.by_module()
    result = {}
    for component, names in _component_modules(model).items():
        modules = [model.get_submodule(name) for name in names]
        result[component] = dict(
            gflops=sum(flops.get(name, 0) for name in names) / 1e9,
            params_m=sum(p.numel() for m in modules
                         for p in m.parameters()) / 1e6)
    result['total'] = dict(
        gflops=analyzer.total() / 1e9,
        params_m=sum(p.numel() for p in model.parameters()) / 1e6)
    return result


def slide_inference(model: nn.Module, image_size: Tuple[int, int],
                    device: torch.device, repeat: int, warmup: int) -> dict:
    """Our batched ``slide_inference`` against mmseg's window loop, on the
    same model and input.

    Args:
        model (nn.Module): A :class:`FundusEncoderDecoder` on ``device``
            whose ``test_cfg`` has ``crop_size`` and ``stride``.
        image_size (tuple): (H, W) of the image.
        device (torch.device): Device.
        repeat (int): Timed calls of each.
        warmup (int): Untimed calls of each first (at least one, whose
            logits are compared).

    Returns:
        dict: ``ours_s``, ``mmseg_s``, images per second of both,
        ``speedup`` (mmseg time / ours), ``windows`` and ``max_abs_diff``
        of the logits.
    """
    model.eval()
    h, w = image_size
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn(1, 3, h, w, generator=gen).to(device)
    metas = [dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w))]

    def ours() -> torch.Tensor:
        return model.slide_inference(inputs, copy.deepcopy(metas))

    def stock() -> torch.Tensor:
        return EncoderDecoder.slide_inference(model, inputs,
                                              copy.deepcopy(metas))

    with torch.no_grad():
        diff = (ours() - stock()).abs().max().item()
        warmup = max(warmup - 1, 0)
        ours_s = median_time(ours, device, repeat, warmup)
        mmseg_s = median_time(stock, device, repeat, warmup)
    (h_crop, w_crop), (h_stride, w_stride) = (model.test_cfg.crop_size,
                                              model.test_cfg.stride)
    windows = ((max(h - h_crop + h_stride - 1, 0) // h_stride + 1) *
               (max(w - w_crop + w_stride - 1, 0) // w_stride + 1))
    return dict(
        ours_s=ours_s,
        mmseg_s=mmseg_s,
        ours_img_per_s=1 / ours_s,
        mmseg_img_per_s=1 / mmseg_s,
        speedup=mmseg_s / ours_s,
        windows=windows,
        slide_batch_size=int(model.test_cfg.get('slide_batch_size', 8)),
        max_abs_diff=diff)


def data_loading(dataset_cfg: dict,
                 repeat: int,
                 warmup: int,
                 num_images: int = 8,
                 image_size: Tuple[int, int] = (584, 565)) -> dict:
    """Samples per second of the training pipeline, cached vs. not.

    A synthetic set in the DRIVE layout (TIFF images, GIF labels and masks)
    is written to a temporary folder so that ``cache=False`` really decodes
    files. Each pass reads every sample once through the config's training
    pipeline in the main process (no workers).

    Args:
        dataset_cfg (dict): The config's ``train_dataloader.dataset`` (a
            ``FundusVesselDataset``); its ``data_root``, ``layout``,
            ``synthetic``, ``cache`` and ``repeat_times`` are replaced.
        repeat (int): Timed passes.
        warmup (int): Untimed passes first.
        num_images (int): Training images written. Defaults to 8.
        image_size (tuple): Their (H, W). Defaults to DRIVE's (584, 565).

    Returns:
        dict: ``cache_samples_per_s``, ``no_cache_samples_per_s``,
        ``speedup`` and ``num_images``.
    """
    if dataset_cfg.get('type') != 'FundusVesselDataset':
        raise ValueError('data loading benchmark needs train_dataloader.'
                         'dataset.type=FundusVesselDataset, got '
                         f'{dataset_cfg.get("type")!r}')
    rates = {}
    with tempfile.TemporaryDirectory() as root:
        write_drive_layout(
            root, num_train=num_images, num_test=1, size=image_size)
        for cache in (True, False):
            cfg = copy.deepcopy(dict(dataset_cfg))
            cfg.pop('synthetic', None)
            cfg.update(
                data_root=root,
                layout='drive',
                split='train',
                holdout=0,
                cache=cache,
                repeat_times=1)
            dataset = DATASETS.build(cfg)

            def one_pass() -> None:
                for idx in range(len(dataset)):
                    dataset[idx]

            seconds = median_time(one_pass, torch.device('cpu'), repeat,
                                  warmup)
            rates[cache] = len(dataset) / seconds
    return dict(
        cache_samples_per_s=rates[True],
        no_cache_samples_per_s=rates[False],
        speedup=rates[True] / rates[False],
        num_images=num_images)
