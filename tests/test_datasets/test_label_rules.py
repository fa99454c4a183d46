import numpy as np
import pytest
from fundus_fixtures import av_classes, av_colours, palette_gif, sample, save

from setr_fundus.datasets import fundus_io
from setr_fundus.datasets.label_rules import LABEL_RULES, get_label_rule


def test_colour_coded_av_label_is_not_a_binary_label(tmp_path):
    path = save(str(tmp_path / 'av.png'), av_colours(sample(3)[1]))
    with pytest.raises(ValueError) as err:
        fundus_io.read_label(path)
    message = str(err.value)
    assert 'av.png' in message and 'not binary' in message
    assert '(255, 0, 0)' in message and '(0, 0, 255)' in message


def test_one_coloured_labels_stay_binary(tmp_path):
    vessel = sample(4)[1]
    red = np.zeros(vessel.shape + (3, ), np.uint8)
    red[vessel == 1] = (200, 0, 0)
    for path in (save(str(tmp_path / 'red.png'), red),
                 palette_gif(str(tmp_path / 'palette'), vessel)):
        np.testing.assert_array_equal(fundus_io.read_label(path), vessel)


def test_colour_table_decodes_rite_colours_and_ignores_strays(tmp_path):
    vessel = sample(5)[1]
    rgb = av_colours(vessel)
    rows, cols = np.nonzero(vessel)
    rgb[rows[0], cols[0]] = (255, 0, 255)  # a stray RITE colour
    rgb[rows[1], cols[1]] = (6, 0, 249)  # near vein
    path = save(str(tmp_path / 'av.png'), rgb)
    label = fundus_io.read_label(path, 'artery_vein_colours')
    expected = av_classes(vessel)
    expected[rows[0], cols[0]] = 255
    expected[rows[1], cols[1]] = 2
    np.testing.assert_array_equal(label, expected)
    rgb[vessel == 1] = (255, 0, 255)
    with pytest.raises(ValueError, match=r'av.png .*\(255, 0, 255\)'):
        fundus_io.read_label(save(path, rgb), 'artery_vein_colours')


def test_index_coded_labels_through_the_artery_vein_rule(tmp_path):
    vessel = sample(6)[1]
    classes = av_classes(vessel)
    path = save(str(tmp_path / 'idx.png'), classes)
    np.testing.assert_array_equal(
        fundus_io.read_label(path, 'artery_vein'), classes)
    colour = save(str(tmp_path / 'col.png'), av_colours(vessel))
    np.testing.assert_array_equal(
        fundus_io.read_label(colour, 'artery_vein'), classes)
    with pytest.raises(ValueError, match='is grey'):
        fundus_io.read_label(path, 'artery_vein_colours')
    for bad, values in ((vessel * 255, r'\[0, 255\]'),
                        (classes * 2, r'\[0, .*6\]')):
        with pytest.raises(ValueError, match=f'bad.png holds values {values}'):
            fundus_io.read_label(save(str(tmp_path / 'bad.png'), bad),
                                 'artery_vein')


def test_rules_and_their_classes():
    assert LABEL_RULES['binary'].binary
    assert get_label_rule('artery_vein').metainfo['classes'] == (
        'background', 'artery', 'vein', 'crossing/uncertain')
    with pytest.raises(ValueError, match='label rule must be one of'):
        get_label_rule('rainbow')
