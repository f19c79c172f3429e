"""Judges that do not know which model made an output.

Images: a small classifier trained on real Fashion-MNIST at the same resolution; a class-conditional
sample passes if the classifier names the class it was asked for.

Text: two proxies scored on words (runs of letters, lower-cased; the first and last word of each
passage are cut off as possibly partial). Word validity: the share of words that occur in the held-out
documents. Local grammar: the share of adjacent word pairs that occur somewhere in the training
documents; a pair attested in four million bytes of real English is at least locally well formed,
the idea behind n-gram fluency scores. Real text from the other split sets each judge's ceiling.
"""

import re
from itertools import pairwise

import torch
from torch import nn

WORD = re.compile(r"[a-z]+")


def train_classifier(images: torch.Tensor, labels: torch.Tensor, epochs: int, seed: int) -> nn.Module:
    """A two-layer perceptron on pixel values scaled to [0, 1]; images (N, side²)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(images.shape[1], 256), nn.ReLU(), nn.Linear(256, 10))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(images), generator=generator).split(128):
            loss = nn.functional.cross_entropy(model(images[batch] / 255), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return model.eval()


@torch.no_grad()
def classifier_accuracy(classifier: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    return float((classifier(images / 255).argmax(1) == labels).float().mean())


def words(passage: str) -> list[str]:
    return WORD.findall(passage.lower())[1:-1]


def word_validity(passages: list[str], vocabulary: set[str]) -> float:
    found = [w in vocabulary for p in passages for w in words(p)]
    return sum(found) / len(found) if found else 0.0


def bigram_attestation(passages: list[str], attested: set[tuple[str, str]]) -> float:
    pairs = [pair in attested for p in passages for pair in pairwise(words(p))]
    return sum(pairs) / len(pairs) if pairs else 0.0


def vocabulary(texts: list[str]) -> set[str]:
    return {w for t in texts for w in WORD.findall(t.lower())}


def bigrams(texts: list[str]) -> set[tuple[str, str]]:
    pairs = set()
    for t in texts:
        ws = WORD.findall(t.lower())
        pairs.update(pairwise(ws))
    return pairs
