import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.models.decode_heads import SETRMLAHead
from mmseg.registry import MODELS

from setr_fundus.models.decode_heads import VesselMLAHead

BN = dict(type='BN', requires_grad=True)


def _head(**kwargs) -> VesselMLAHead:
    cfg = dict(in_channels=(8, 8, 8, 8), mla_channels=16, num_classes=2,
               norm_cfg=BN)
    cfg.update(kwargs)
    return VesselMLAHead(**cfg)


@pytest.mark.parametrize('patch_size,steps', [(16, 4), (8, 3), (2, 1)])
@pytest.mark.parametrize('grid', [(2, 2), (3, 5)])
def test_output_at_input_resolution(patch_size, steps, grid):
    head = _head(patch_size=patch_size)
    assert len(head.up_convs) == steps
    inputs = [torch.randn(2, 8, *grid) for _ in range(4)]
    out = head(inputs)
    assert out.shape == (2, 2, grid[0] * patch_size, grid[1] * patch_size)


def test_channels_shrink_with_resolution():
    head = _head(patch_size=16, mla_channels=64)
    widths = [conv.conv.out_channels for conv in head.up_convs]
    assert widths == [32, 16, 8, 8]
    assert head.channels == 8 and head.conv_seg.in_channels == 8
    assert all(isinstance(conv.bn, torch.nn.BatchNorm2d)
               for conv in head.up_convs)


def test_explicit_up_channels_and_single_output_channel():
    head = _head(patch_size=4, up_channels=(12, 6), out_channels=1,
                 threshold=0.5)
    out = head([torch.randn(1, 8, 2, 2) for _ in range(4)])
    assert out.shape == (1, 1, 8, 8)


def test_top_down_aggregation_reaches_every_level():
    """The shallowest level's output depends on the deepest input."""
    head = _head(patch_size=2).eval()
    inputs = [torch.randn(1, 8, 2, 2) for _ in range(4)]
    base = head.aggregate(inputs)
    inputs[3] = inputs[3] + 1.0
    assert not torch.allclose(base, head.aggregate(inputs))


def test_gradients_reach_all_parameters():
    head = _head(patch_size=4)
    out = head([torch.randn(2, 8, 2, 2) for _ in range(4)])
    out.sum().backward()
    assert all(p.grad is not None for p in head.parameters())


@pytest.mark.parametrize('kwargs,message', [
    (dict(patch_size=12), 'power of two'),
    (dict(patch_size=1), 'power of two'),
    (dict(patch_size=8, up_channels=(8, 8)), 'one entry per x2 step'),
    (dict(channels=32), 'do not set channels'),
])
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _head(**kwargs)


def test_registered_beside_mmseg_head():
    init_default_scope('mmseg')
    assert MODELS.get('VesselMLAHead') is VesselMLAHead
    assert MODELS.get('SETRMLAHead') is SETRMLAHead


def _spatial_head(patch_size=8, **kwargs) -> VesselMLAHead:
    steps = patch_size.bit_length() - 1
    return _head(
        patch_size=patch_size,
        spatial_channels=[4 + 2 * i for i in range(steps + 1)],
        **kwargs)


def _spatial_inputs(grid, patch_size, batch=2):
    """Backbone outputs: 4 token maps, then the spatial path's maps at
    1/1 .. 1/patch_size (widths 4, 6, 8, ...)."""
    feats = [torch.randn(batch, 8, *grid) for _ in range(4)]
    steps = patch_size.bit_length() - 1
    h, w = grid[0] * patch_size, grid[1] * patch_size
    spatial = [
        torch.randn(batch, 4 + 2 * i, -(-h // 2**i), -(-w // 2**i))
        for i in range(steps + 1)
    ]
    return feats + spatial


def test_plain_head_has_no_spatial_path():
    head = _head(patch_size=8)
    assert head.spatial_channels == () and head.spatial_index == []
    prefixes = {key.split('.')[0] for key in head.state_dict()}
    assert prefixes == {
        'lateral_convs', 'level_convs', 'fuse_conv', 'up_convs', 'conv_seg'
    }


@pytest.mark.parametrize('patch_size', [16, 8, 2])
@pytest.mark.parametrize('grid', [(2, 2), (3, 5)])
def test_spatial_path_output_at_image_resolution(patch_size, grid):
    head = _spatial_head(patch_size)
    assert head.spatial_index == list(range(4, 4 + len(head.spatial_channels)))
    out = head(_spatial_inputs(grid, patch_size))
    assert out.shape == (2, 2, grid[0] * patch_size, grid[1] * patch_size)


def test_spatial_path_widths():
    head = _spatial_head(patch_size=8, mla_channels=16)
    # up-steps at 1/8, 1/4, 1/2 (inputs 16, 8, 8 wide) take the spatial
    # maps 1/8 (10), 1/4 (8), 1/2 (6); the full-resolution map (4) joins
    # the last fusion
    assert [c.conv.in_channels for c in head.up_convs] == [26, 16, 14]
    assert head.detail_fuse.conv.in_channels == 8 + 4
    assert head.detail_fuse.conv.out_channels == head.channels == 8
    assert not any(k.startswith('detail_stem') for k in head.state_dict())


def test_full_resolution_map_reaches_the_pixel():
    """A change of the full-resolution spatial map at one pixel moves the
    logit there: detail reaches the output at full resolution."""
    head = _spatial_head(patch_size=8).eval()
    inputs = _spatial_inputs((2, 2), 8, batch=1)
    full = inputs[4].requires_grad_(True)
    out = head(inputs)
    out[0, 1, 5, 9].backward()
    grad = full.grad.abs().sum(1)[0]
    assert grad[5, 9] > 0
    assert grad[5, 9] >= grad.max() * 0.1


def test_spatial_path_gradients_reach_all_parameters():
    head = _spatial_head(patch_size=4)
    head(_spatial_inputs((2, 3), 4)).sum().backward()
    assert all(p.grad is not None for p in head.parameters())


def test_spatial_maps_are_checked_against_the_backbone():
    head = _spatial_head(patch_size=8)
    with pytest.raises(ValueError, match='needs 8 backbone outputs'):
        head(_spatial_inputs((2, 2), 8)[:6])
    wrong = _spatial_inputs((2, 2), 8)
    wrong[5] = torch.randn(2, 7, 8, 8)
    with pytest.raises(ValueError, match=r'\[4, 7, 8, 10\] channels'):
        head(wrong)


def test_spatial_index_picks_any_outputs():
    head = _spatial_head(patch_size=2, in_index=[1, 2, 3, 4],
                         spatial_index=[0, 5])
    grid = (3, 4)
    inputs = [torch.randn(1, 4, 6, 8)] + [
        torch.randn(1, 8, *grid) for _ in range(4)
    ] + [torch.randn(1, 6, 3, 4)]
    assert head(inputs).shape == (1, 2, 6, 8)
    with pytest.raises(ValueError, match='one backbone output per entry'):
        _spatial_head(patch_size=2, spatial_index=[4])


def test_spatial_path_alone_without_tapped_levels():
    head = _head(
        in_channels=(), patch_size=4, spatial_channels=(4, 6, 8))
    assert not hasattr(head, 'fuse_conv') and not head.lateral_convs
    assert head.up_convs[0].conv.in_channels == 8
    maps = [torch.randn(2, 4, 12, 20), torch.randn(2, 6, 6, 10),
            torch.randn(2, 8, 3, 5)]
    out = head(maps)
    assert out.shape == (2, 2, 12, 20)
    out.sum().backward()
    assert all(p.grad is not None for p in head.parameters())
    with pytest.raises(ValueError, match='needs spatial_channels'):
        _head(in_channels=(), patch_size=4)


@pytest.mark.parametrize('channels', [(4, 4, 4), (4, 4, 4, 4, 4), ()])
def test_spatial_channels_one_per_resolution(channels):
    with pytest.raises(ValueError, match='one entry per resolution'):
        _head(patch_size=8, spatial_channels=channels)
