import os

import pytest

from setr_fundus.apis import list_images, read_path_list, remove_temporaries


def test_csv_list_of_paths(tmp_path):
    (tmp_path / 'list.csv').write_text(
        'eye,path\nleft,b.png\nright,sub/a.png\nleft,b.png\nleft,\n'
        f'right,{tmp_path}/abs.png\n')
    expected = sorted([
        str(tmp_path / 'b.png'),
        str(tmp_path / 'sub' / 'a.png'),
        str(tmp_path / 'abs.png')
    ])
    assert read_path_list(str(tmp_path / 'list.csv')) == expected
    assert list_images(str(tmp_path / 'list.csv')) == expected
    (tmp_path / 'bad.csv').write_text('file\na.png\n')
    with pytest.raises(ValueError, match='no "path" column'):
        read_path_list(str(tmp_path / 'bad.csv'))
    (tmp_path / 'empty.csv').write_text('path\n')
    with pytest.raises(ValueError, match='lists no photograph'):
        list_images(str(tmp_path / 'empty.csv'))


def test_remove_temporaries_of_named_outputs_only(tmp_path):
    names = [
        '.a_mask.png.0123abcd.tmp', '.a_prob.png.89abcdef.tmp',
        '.b_mask.png.0123abcd.tmp', '.a_mask.png.tmp', 'a_mask.png'
    ]
    for name in names:
        (tmp_path / name).write_bytes(b'')
    assert remove_temporaries(str(tmp_path), ['a_mask.png', 'a_prob.png']) == 2
    assert sorted(os.listdir(tmp_path)) == [
        '.a_mask.png.tmp', '.b_mask.png.0123abcd.tmp', 'a_mask.png'
    ]
