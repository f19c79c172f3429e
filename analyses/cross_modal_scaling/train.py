"""Training one model of the sweep: AdamW, warm-up then cosine decay, fixed batches per step,
checkpoints that let an interrupted sweep resume where it stopped.

Every batch is drawn from a generator seeded by (seed, step), so a run that resumes from a
checkpoint sees exactly the batches it would have seen, and the result is the same on CPU.

A Variant changes a run for the learning-capacity experiments (analyses/learning_capacity): canaries
written into chosen batches, weights saved early for rewinding, a pruned start with its masks kept,
held-out loss along the way. The default Variant changes nothing.
"""

import dataclasses
import math
import pathlib
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from analyses.cross_modal_scaling import Recipe
from analyses.cross_modal_scaling.model import GPT, Size

LN2 = math.log(2)


@dataclasses.dataclass
class Task:
    name: str
    vocab: int
    context: int                                         # tokens the model reads; sequences hold context + 1
    draw: Callable[[int, torch.Generator], torch.Tensor]  # (batch, generator) -> (batch, context + 1) tokens
    held_out: torch.Tensor                               # fixed (M, context + 1) evaluation sequences


@dataclasses.dataclass
class Variant:
    """What a learning-capacity run changes; the default changes nothing."""
    start_step: int = 0                                  # begin here, on this step's batch and learning rate
    start: dict | None = None                            # weights to begin from (a state_dict), else a fresh init
    masks: dict[str, torch.Tensor] | None = None         # parameter name -> 0/1 mask, applied after every step
    insert: Callable[[int, torch.Tensor], torch.Tensor] | None = None   # (step, batch) -> batch with canaries in
    keep: tuple[int, ...] = ()                           # after these steps, save the weights to step-<n>.pt
    evaluate_at: tuple[int, ...] = ()                    # after these steps, record the held-out loss


def learning_rate(step: int, recipe: Recipe) -> float:
    """Linear warm-up, then cosine decay to 10% of the peak (the nanoGPT schedule)."""
    if step < recipe.warmup:
        return recipe.learning_rate * (step + 1) / recipe.warmup
    progress = (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)
    return recipe.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def loss_of(model: GPT, sequences: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy (nats) of sequences (batch, context + 1): read all but the last
    token, predict all but the first."""
    logits = model(sequences[:, :-1])                                  # (batch, context, vocab)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), sequences[:, 1:].reshape(-1))


@torch.no_grad()
def held_out_bits(model: GPT, task: Task, device: str) -> float:
    """Held-out loss in bits per predicted token (per pixel, per byte)."""
    model.eval()
    total = sum(float(loss_of(model, chunk.to(device))) * len(chunk) for chunk in task.held_out.split(256))
    model.train()
    return total / len(task.held_out) / LN2


@torch.no_grad()
def apply_masks(model: GPT, masks: dict[str, torch.Tensor] | None) -> None:
    """Zero the pruned weights: after AdamW moves them, a pruned network stays pruned."""
    if not masks:
        return
    for name, parameter in model.named_parameters():
        if name in masks:
            parameter.mul_(masks[name].to(parameter.device))


def draw(task: Task, batch: int, seed: int, step: int, variant: Variant) -> torch.Tensor:
    """The batch of one step (batch, context + 1), from a generator seeded by seed and step; canaries in if any."""
    sequences = task.draw(batch, torch.Generator().manual_seed(seed * 1_000_003 + step))
    return sequences if variant.insert is None else variant.insert(step, sequences)


def after_step(model: GPT, step: int, variant: Variant, task: Task, device: str, folder: pathlib.Path,
               held_out_curve: list[dict]) -> None:
    """What a variant does after step (counted from 1): pruned weights back to zero, the rewind point saved,
    the held-out loss recorded."""
    apply_masks(model, variant.masks)
    if step in variant.keep:
        folder.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), folder / f"step-{step}.pt")
    if step in variant.evaluate_at:
        held_out_curve.append({"step": step, "held_out_bits": held_out_bits(model, task, device)})


def train(task: Task, size: Size, recipe: Recipe, seed: int, device: str, folder: pathlib.Path,
          log: Callable[[str], None], variant: Variant | None = None) -> tuple[GPT, dict]:
    """Train one model, or pick it up from folder: final.pt if the run finished, partial.pt if it was cut off.
    The caller names the folder by a hash of everything that determines the run, its variant included."""
    variant = variant or Variant()
    torch.manual_seed(seed)
    model = GPT(size, task.vocab, task.context).to(device)
    if variant.start is not None:
        model.load_state_dict(variant.start)
    apply_masks(model, variant.masks)
    final, checkpoint = folder / "final.pt", folder / "partial.pt"
    if final.exists():
        state = torch.load(final, map_location=device)
        model.load_state_dict(state["model"])
        log(f"finished earlier: {final}")
        return model, state["result"]
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, betas=(0.9, 0.95), weight_decay=0.01)
    start, curve, held_out_curve = variant.start_step, [], []
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        start, curve, held_out_curve = state["step"], state["curve"], state["held_out_curve"]
        log(f"resumed at step {start} from {checkpoint}")
    tokens_per_step = recipe.batch * task.context
    began, ran = time.perf_counter(), 0
    for step in range(start, recipe.steps):
        batch = draw(task, recipe.batch, seed, step, variant).to(device)
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, recipe)
        loss = loss_of(model, batch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        after_step(model, step + 1, variant, task, device, folder, held_out_curve)
        ran += 1
        if (step + 1) % recipe.log_every == 0 or step + 1 == recipe.steps:
            seconds = time.perf_counter() - began
            curve.append({"step": step + 1, "train_bits": loss.item() / LN2})
            log(f"step {step + 1}/{recipe.steps}  loss {loss.item() / LN2:.3f} bits  "
                f"{ran * tokens_per_step / seconds:,.0f} tokens/s")
        if (step + 1) % recipe.checkpoint_every == 0 and step + 1 < recipe.steps:
            folder.mkdir(parents=True, exist_ok=True)
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step + 1,
                        "curve": curve, "held_out_curve": held_out_curve}, checkpoint)
    seconds = time.perf_counter() - began
    result = {"held_out_bits": held_out_bits(model, task, device), "curve": curve, "held_out_curve": held_out_curve,
              "tokens": recipe.steps * tokens_per_step, "tokens_per_second": ran * tokens_per_step / seconds}
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "result": result}, final)
    checkpoint.unlink(missing_ok=True)
    return model, result
