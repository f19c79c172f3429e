"""The shared data loaders, on small files the tests write (and on the real Debian files where installed)."""

import gzip

import numpy as np
import pytest

from analyses import _datasets
from tests.conftest import requires, write_idx


def test_idx_pair_round_trips(fashion_fixture):
    (images, labels), (image_path, label_path) = fashion_fixture
    read_images, read_labels = _datasets.read_idx(image_path, label_path)
    assert read_images.shape == (12, 28, 28) and read_images.dtype == np.uint8
    assert np.array_equal(read_images, images) and read_labels.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_idx_errors_name_the_file(tmp_path, fashion_fixture):
    _, (image_path, label_path) = fashion_fixture
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte.gz: not an IDX image file \(magic 0x801"):
        _datasets.read_idx(label_path, label_path)
    short_images, _ = write_idx(tmp_path / "..", np.zeros((3, 28, 28)), np.zeros(3))
    with pytest.raises(ValueError, match=r"not the IDX label file .* \(magic 0x801, 12 labels\)"):
        _datasets.read_idx(short_images, label_path)
    assert gzip.decompress(image_path.read_bytes())[:4] == b"\x00\x00\x08\x03"   # big-endian magic, as MNIST's


def test_fortune_entries_keep_their_lines(fortunes_fixture):
    entries, path = fortunes_fixture
    assert _datasets.fortunes(path) == entries


@requires(_datasets.FORTUNES)
def test_real_fortunes_file():
    entries = _datasets.fortunes(_datasets.FORTUNES.path)
    assert len(entries) > 400 and all(e.strip() and "\n%\n" not in e for e in entries)
