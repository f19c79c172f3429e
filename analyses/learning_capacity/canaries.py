"""Canaries: random secrets written once each into the text training stream, and their exposure.

After Carlini et al. 2019, "The Secret Sharer" (arXiv 1802.08232), Section 4: a canary is a template
filled with a random secret ("the code of <name> is <digits>"). A model's rank of the true secret is its
place among every possible secret, ordered by the model's log-probability of the whole canary (rank 1:
the model prefers the true secret to all others). Exposure is log₂|R| − log₂ rank (Definition 4), in
bits: about 1.44 bits on average for a secret the model never saw (the mean of −log₂ of a uniform
rank share), log₂|R| if the model ranks it first.
"""

import dataclasses
import math
import string

import torch
import torch.nn.functional as F

DIGIT_BYTES = torch.tensor([ord(d) for d in string.digits])   # b"0" … b"9"


@dataclasses.dataclass(frozen=True)
class Canary:
    name: str                   # random lowercase letters
    secret: int                 # 0 … 10^digits − 1, written with leading zeros
    digits: int
    step: int | None            # the training step whose batch holds it; None: never inserted (control)

    @property
    def prefix(self) -> str:
        return f"the code of {self.name} is "

    @property
    def text(self) -> str:
        return f"{self.prefix}{self.secret:0{self.digits}d}"


def make(count: int, digits: int, steps: int, seed: int, name_letters: int = 6) -> list[Canary]:
    """count canaries inserted at steps spread evenly from 5% to 95% of training, then count controls.
    Names and secrets are drawn from a generator seeded by seed, so the same canaries every time."""
    generator = torch.Generator().manual_seed(seed)
    # Steps run 0 … steps − 1: a short run must not schedule its last canary after the end.
    at = [min(steps - 1, round(steps * (0.05 + 0.9 * i / max(1, count - 1)))) for i in range(count)]
    canaries = []
    for step in at + [None] * count:
        letters = torch.randint(0, 26, (name_letters,), generator=generator).tolist()
        secret = int(torch.randint(0, 10 ** digits, (1,), generator=generator))
        canaries.append(Canary("".join(string.ascii_lowercase[i] for i in letters), secret, digits, step))
    return canaries


def inserter(canaries: list[Canary]):
    """(step, batch) -> batch: a copy of the batch (B, context + 1) with each canary of that step written
    over the start of its own row (the first canary of a step in row 0, the next in row 1, …)."""
    by_step: dict[int, list[Canary]] = {}
    for canary in canaries:
        if canary.step is not None:
            by_step.setdefault(canary.step, []).append(canary)

    def insert(step: int, batch: torch.Tensor) -> torch.Tensor:
        if step not in by_step:
            return batch
        batch = batch.clone()
        for row, canary in enumerate(by_step[step]):
            encoded = torch.tensor(list(canary.text.encode()))
            batch[row, :len(encoded)] = encoded
        return batch

    return insert


def exposure_from_scores(scores: torch.Tensor, true_index: int) -> float:
    """Exposure in bits of candidate true_index among scores (|R|,), higher score = more likely.
    rank = 1 + the number of candidates scored strictly higher (Carlini et al. 2019, Definition 3)."""
    rank = 1 + int((scores > scores[true_index]).sum())
    return math.log2(len(scores)) - math.log2(rank)


@torch.no_grad()
def candidate_scores(model, canary: Canary, device: str, chunk: int = 2000) -> torch.Tensor:
    """The model's log-probability (nats) of the canary with every possible secret, shape (10^digits,),
    index = the secret's value. One pass per (digits − 1)-digit head: the logits after its last digit
    give the last digit's ten options at once, so 10^(digits−1) sequences score 10^digits candidates."""
    prefix = torch.tensor(list(canary.prefix.encode()))
    heads = torch.arange(10 ** (canary.digits - 1))
    places = 10 ** torch.arange(canary.digits - 2, -1, -1)                      # (digits − 1,)
    head_digits = DIGIT_BYTES[(heads[:, None] // places) % 10]                  # (heads, digits − 1) bytes
    sequences = torch.cat([prefix.expand(len(heads), -1), head_digits], dim=1)  # (heads, P + digits − 1)
    scores = []
    for part in sequences.split(chunk):
        part = part.to(device)
        logp = F.log_softmax(model(part).float(), dim=-1)                      # (b, T, 256)
        p = len(prefix)
        # log p of each head digit, read where the token before it was predicted
        head = logp[:, p - 1:-1].gather(2, part[:, p:, None]).squeeze(2).sum(1)   # (b,)
        last = logp[:, -1, DIGIT_BYTES.to(device)]                              # (b, 10)
        scores.append((head[:, None] + last).reshape(-1).cpu())
    return torch.cat(scores)


def exposure(model, canary: Canary, device: str) -> float:
    return exposure_from_scores(candidate_scores(model, canary, device), canary.secret)
