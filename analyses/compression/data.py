"""The three evaluation sets, built offline and seeded: English sentences, photos and speech.

None of them has labels the models were trained on; fidelity is always measured against
the unmodified model's own outputs on the same inputs.
"""

import pathlib
import re
import subprocess
import tempfile
import wave

import numpy as np
import torch

from analyses import _datasets

SAMPLE_RATE = 16_000                                             # Silero VAD's rate


# ---------------------------------------------------------------- language

def sentences(count: int, seed: int, fortunes: list[str]) -> list[str]:
    """Half KJV verses, half fortune entries, 40–200 characters, drawn without replacement."""
    rng = np.random.default_rng(seed)
    picked = []
    verses = [verse for book in _datasets.kjv_books().values() for verse in book]
    for pool in (verses, [re.sub(r"\s+", " ", entry).strip() for entry in fortunes]):
        pool = sorted({s for s in pool if 40 <= len(s) <= 200})
        picked += [pool[i] for i in rng.choice(len(pool), count // 2, replace=False)]
    return picked


# ---------------------------------------------------------------- vision

PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket", "hubble_deep_field", "coins", "moon", "retina")


def photos() -> dict[str, np.ndarray]:
    """The natural photos bundled with scikit-image and scikit-learn, as (H, W, 3) uint8."""
    import skimage.data
    from sklearn.datasets import load_sample_images
    images = {name: getattr(skimage.data, name)() for name in PHOTOS}
    bundle = load_sample_images()
    images |= {pathlib.Path(f).stem: im for f, im in zip(bundle.filenames, bundle.images, strict=True)}
    return {name: np.repeat(im[..., None], 3, axis=2) if im.ndim == 2 else im[..., :3] for name, im in images.items()}


def seeded_subset(images: np.ndarray, count: int, seed: int) -> np.ndarray:
    """count seeded images of (N, 28, 28) uint8, in their original order."""
    return images[np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))]


def images(photo_crops: int, fashion: np.ndarray, fashion_count: int, seed: int,
           side: int = 224) -> tuple[torch.Tensor, list[str]]:
    """Seeded square crops (40–100% of the short side) with random flips of the photos, plus fashion_count
    upscaled images of ``fashion`` (Fashion-MNIST test images, (N, 28, 28) uint8), resized to side×side and
    scaled to [−1, 1] as EfficientNet-Lite expects.

    Returns (N, 3, side, side) float32 and a source name per image.
    """
    rng = np.random.default_rng(seed)
    sources = photos()
    names = sorted(sources)
    tensors, labels = [], []
    for i in range(photo_crops):
        name = names[i % len(names)]
        im = sources[name]
        h, w, _ = im.shape
        size = int(rng.uniform(0.4, 1.0) * min(h, w))
        y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
        crop = im[y:y + size, x:x + size]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        tensors.append(_resize(torch.from_numpy(crop.copy()).permute(2, 0, 1), side))
        labels.append(name)
    for im in seeded_subset(fashion, fashion_count, seed):
        tensors.append(_resize(torch.from_numpy(im.copy())[None].expand(3, -1, -1), side))
        labels.append("fashion-mnist")
    return torch.stack(tensors) / 127.5 - 1, labels


def _resize(chw_uint8: torch.Tensor, side: int) -> torch.Tensor:
    x = chw_uint8.float()[None]                      # (1, 3, h, w)
    return torch.nn.functional.interpolate(x, size=(side, side), mode="bilinear", antialias=True)[0]


# ---------------------------------------------------------------- audio

def speak(text: str, espeak: str) -> np.ndarray:
    """Speech for text from the espeak-ng program at path ``espeak``, resampled to 16 kHz, float in [−1, 1]."""
    from scipy.signal import resample_poly
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "speech.wav"
        subprocess.run([espeak, "-s", "165", "-w", str(path), text], check=True, capture_output=True)
        with wave.open(str(path)) as w:
            rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return resample_poly(pcm / 32768.0, SAMPLE_RATE, rate).astype(np.float32)


def speech_clips(count: int, seconds: float, texts: list[str], seed: int,
                 espeak: str) -> tuple[torch.Tensor, list[dict]]:
    """count clips, each: seeded noise floor, then one or two utterances at seeded offsets with silence
    between, the speech at 5–25 dB above the noise. Returns (count, seconds·16000) and what each holds."""
    rng = np.random.default_rng(seed)
    length = int(seconds * SAMPLE_RATE)
    clips, about = [], []
    texts = iter(texts)
    for _ in range(count):
        clip = np.zeros(length, dtype=np.float32)
        start = int(rng.uniform(0.2, 1.5) * SAMPLE_RATE)
        spoken = 0
        for _ in range(int(rng.integers(1, 3))):
            speech = speak(next(texts), espeak)[: max(0, length - start)]
            clip[start:start + len(speech)] += 0.5 * speech / max(1e-6, float(np.abs(speech).max()))
            spoken += len(speech)
            start += len(speech) + int(rng.uniform(0.5, 2.0) * SAMPLE_RATE)
            if start >= length:
                break
        snr_db = float(rng.uniform(5, 25))
        speech_rms = float(np.sqrt(np.mean(clip[clip != 0] ** 2)))
        clip += rng.normal(0, speech_rms / 10 ** (snr_db / 20), length).astype(np.float32)
        clips.append(np.clip(clip, -1, 1))
        about.append({"speech_seconds": spoken / SAMPLE_RATE, "snr_db": snr_db})
    return torch.from_numpy(np.stack(clips)), about
