"""Two modalities as token sequences.

Images: Fashion-MNIST, area-downsampled to side×side and quantised to a few grey levels; a sequence is
one class token, then the pixels in raster order (Henighan et al. 2020 model images as raster-order
pixel sequences; the class token makes the model class-conditional). Loss is counted on pixels only.

Text: UTF-8 bytes of the King James Bible (one document a book) and Debian's fortunes (one document an
entry). Documents are split into training and held-out by a hash of their name, so no document is in both.
"""

import zlib

import numpy as np
import torch
import torch.nn.functional as F

from analyses import _datasets

CLASSES = 10


# ---------------------------------------------------------------- images

def downsample(images: np.ndarray, side: int) -> torch.Tensor:
    """(N, 28, 28) uint8 -> (N, side, side) float in [0, 255] by area averaging."""
    x = torch.from_numpy(images.astype(np.float32))[:, None]                   # (N, 1, 28, 28)
    return F.adaptive_avg_pool2d(x, side)[:, 0]


def quantise(pixels: torch.Tensor, levels: int) -> torch.Tensor:
    """[0, 255] -> integer levels 0 … levels−1, equal-width bins."""
    return torch.clamp((pixels * levels / 256).floor(), 0, levels - 1).long()


def dequantise(codes: torch.Tensor, levels: int) -> torch.Tensor:
    """Levels -> the centre of each bin in [0, 255], so quantise(dequantise(q)) == q."""
    return (codes.float() + 0.5) * 256 / levels


def image_sequences(images: np.ndarray, labels: np.ndarray, side: int, levels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 28, 28) uint8 and labels (N,) -> token sequences (N, 1 + side²): token levels + class,
    then pixel codes 0 … levels−1; and labels (N,) int64."""
    codes = quantise(downsample(images, side), levels).reshape(len(images), -1)     # (N, side²)
    labels = torch.from_numpy(labels.astype(np.int64))
    return torch.cat([(levels + labels)[:, None], codes], dim=1), labels


# ---------------------------------------------------------------- text

def documents(fortunes: list[str]) -> dict[str, str]:
    """KJV books and fortune entries, by name."""
    docs = {f"kjv/{book}": " ".join(verses) for book, verses in _datasets.kjv_books().items()}
    docs |= {f"fortunes/{i}": entry for i, entry in enumerate(fortunes)}
    return docs


def is_held_out(name: str, every: int = 10) -> bool:
    """One document in `every`, chosen by CRC-32 of its name: stable across machines and runs."""
    return zlib.crc32(name.encode()) % every == 0


def text_streams(fortunes: list[str]) -> tuple[torch.Tensor, torch.Tensor, dict[str, str]]:
    """Training and held-out byte streams (documents joined by a blank line), and the documents themselves."""
    docs = documents(fortunes)
    streams = []
    for held in (False, True):
        text = "\n\n".join(t for name, t in docs.items() if is_held_out(name) == held)
        streams.append(torch.frombuffer(bytearray(text.encode("utf-8")), dtype=torch.uint8).long())
    return streams[0], streams[1], docs


def windows(stream: torch.Tensor, length: int, count: int, generator: torch.Generator) -> torch.Tensor:
    """count random windows of length bytes from a stream, shape (count, length)."""
    starts = torch.randint(0, len(stream) - length, (count,), generator=generator)
    return torch.stack([stream[s:s + length] for s in starts.tolist()])


def decode(byte_tokens: torch.Tensor) -> str:
    return bytes(byte_tokens.tolist()).decode("utf-8", errors="replace")
