"""Learning capacity: exposure on hand-made rank tables and against brute force, canaries inserted exactly
once, pruning masks of exactly the requested count, rewinding to the recorded weights, and the numbers
behind each verdict on hand-worked cases."""

import math

import pytest
import torch

from analyses.cross_modal_scaling import Recipe, model, train
from analyses.learning_capacity import analysis, canaries, tickets

# ---------------------------------------------------------------- exposure

def test_exposure_on_a_hand_made_rank_table():
    scores = torch.tensor([0.1, 0.5, 0.3, 0.9])        # four candidates; higher = more likely
    assert canaries.exposure_from_scores(scores, 3) == 2.0                        # rank 1 of 4: log2 4
    assert canaries.exposure_from_scores(scores, 2) == pytest.approx(2 - math.log2(3))   # rank 3
    assert canaries.exposure_from_scores(scores, 0) == 0.0                        # rank 4, the last
    # 100,000 candidates, the secret ranked 10th: log2(1e5) − log2(10) = 13.29 bits (Carlini et al., Def. 4).
    many = torch.linspace(0, 1, 100_000)
    assert canaries.exposure_from_scores(many, 99_990) == pytest.approx(math.log2(1e4))


class PreferNext(torch.nn.Module):
    """A stand-in model: after digit d it expects d + 1 (mod 10), after anything else it expects "3"."""

    def forward(self, tokens):                          # (B, T) -> logits (B, T, 256)
        logits = torch.zeros(*tokens.shape, 256)
        digit = (tokens >= ord("0")) & (tokens <= ord("9"))
        expected = torch.where(digit, ord("0") + (tokens - ord("0") + 1) % 10, ord("3"))
        logits.scatter_(2, expected[..., None], 4.0)
        return logits


def test_the_most_likely_secret_ranks_first():
    canary = canaries.Canary("abc", 34567, 5, None)
    scores = canaries.candidate_scores(PreferNext(), canary, "cpu")
    assert scores.shape == (100_000,) and int(scores.argmax()) == 34567
    assert canaries.exposure(PreferNext(), canary, "cpu") == pytest.approx(math.log2(1e5))


def test_candidate_scores_equal_scoring_each_candidate_whole():
    torch.manual_seed(0)
    net = model.GPT(model.Size(1, 16), 256, 32)
    canary = canaries.Canary("qwerty", 0, 3, None)
    scores = canaries.candidate_scores(net, canary, "cpu", chunk=7)   # chunks that split the heads unevenly
    for secret in (0, 5, 409, 999):
        tokens = torch.tensor([list(f"{canary.prefix}{secret:03d}".encode())])
        with torch.no_grad():
            logp = torch.log_softmax(net(tokens[:, :-1]), -1)[0]
        whole = sum(float(logp[i - 1, tokens[0, i]]) for i in range(len(canary.prefix), tokens.shape[1]))
        assert float(scores[secret]) == pytest.approx(whole, abs=1e-4)


# ---------------------------------------------------------------- canaries in the stream

def test_each_canary_is_inserted_exactly_once_at_its_step():
    made = canaries.make(count=6, digits=5, steps=40, seed=3)
    inserted = [c for c in made if c.step is not None]
    assert len(made) == 12 and len(inserted) == 6
    assert [c.step for c in inserted] == [2, 9, 16, 24, 31, 38]          # 5% … 95% of 40 steps
    assert made == canaries.make(count=6, digits=5, steps=40, seed=3)      # seeded
    assert [c.step for c in canaries.make(count=2, digits=2, steps=8, seed=0)][:2] == [0, 7]   # never past the end
    task = train.Task("zeros", 256, 39, lambda b, g: torch.zeros(b, 40, dtype=torch.long), torch.zeros(1, 40))
    variant = train.Variant(insert=canaries.inserter(made))
    found = {c.text: [] for c in made}
    for step in range(40):
        batch = train.draw(task, 4, 0, step, variant)
        for row in batch:
            text = bytes(row.tolist()).rstrip(b"\0").decode()
            if text:
                found[text].append(step)
    assert {c.text: [c.step] if c.step is not None else [] for c in made} == found


def test_insertion_leaves_the_drawn_batch_alone():
    made = canaries.make(count=1, digits=2, steps=10, seed=0)
    batch = torch.zeros(2, 30, dtype=torch.long)
    inserted = canaries.inserter(made)(made[0].step, batch)
    assert int(batch.sum()) == 0 and bytes(inserted[0, :len(made[0].text)].tolist()).decode() == made[0].text


# ---------------------------------------------------------------- pruning and rewinding

def test_the_mask_keeps_exactly_the_largest_weights():
    generator = torch.Generator().manual_seed(0)
    weights = {"a": torch.randn(30, 20, generator=generator), "b": torch.randn(7, 11, generator=generator)}
    masks = tickets.magnitude_masks(weights, keep=123)
    assert sum(int(m.sum()) for m in masks.values()) == 123
    kept = torch.cat([w[m.bool()].abs() for w, m in zip(weights.values(), masks.values(), strict=True)])
    pruned = torch.cat([w[~m.bool()].abs() for w, m in zip(weights.values(), masks.values(), strict=True)])
    assert kept.min() > pruned.max()
    shuffled = tickets.random_masks(masks, torch.Generator().manual_seed(1))
    assert {k: int(m.sum()) for k, m in shuffled.items()} == {k: int(m.sum()) for k, m in masks.items()}
    assert not all(torch.equal(shuffled[k], masks[k]) for k in masks)


def test_a_pruned_large_model_has_the_small_models_count():
    large, small = model.GPT(model.Size(2, 32), 256, 64), model.GPT(model.Size(2, 16), 256, 64)
    with torch.no_grad():                # as if trained: no weight or bias exactly zero before pruning
        for parameter in large.parameters():
            parameter.normal_(generator=torch.Generator().manual_seed(0))
    # By hand: 12w² + 13w a block plus 2w: N(2, 16) = 2·(3,072 + 208) + 32 = 6,592. The large model's
    # biases and LayerNorms: 13·32 a block, twice, plus 64 = 896; so it keeps 6,592 − 896 = 5,696 weights.
    assert small.non_embedding_parameters() == 6_592
    assert tickets.weights_to_keep(large, 6_592) == 5_696
    masks = tickets.magnitude_masks(tickets.prunable(large), 5_696)
    train.apply_masks(large, masks)
    non_zero = sum(int((p != 0).sum()) for name, p in large.named_parameters()
                   if not name.startswith(("token", "position")))
    assert non_zero == 6_592
    with pytest.raises(ValueError, match="biases and LayerNorms alone hold 896"):
        tickets.weights_to_keep(large, 800)


def _task():
    generator = torch.Generator().manual_seed(0)
    stream = torch.randint(0, 8, (5000,), generator=generator)           # 8 symbols: something to learn
    return train.Task("tiny", 16, 16, lambda b, g: torch.stack([stream[s:s + 17] for s in
                                                               torch.randint(0, 4900, (b,), generator=g)]),
                      torch.stack([stream[s:s + 17] for s in range(0, 320, 20)]))


def test_rewinding_restores_the_recorded_weights_and_pruned_ones_stay_zero(tmp_path):
    task, size = _task(), model.Size(1, 16)
    recipe = Recipe(steps=8, batch=4, learning_rate=3e-3, warmup=2, checkpoint_every=8, log_every=8)
    trained, _ = train.train(task, size, recipe, 0, "cpu", tmp_path / "dense", lambda _: None,
                             train.Variant(keep=(3,)))
    early = torch.load(tmp_path / "dense" / "step-3.pt")
    masks = tickets.magnitude_masks(tickets.prunable(trained), 500)
    start = tickets.rewind(early, masks)
    for name, value in early.items():            # survivors are exactly the recorded step-3 weights
        expected = value * masks[name] if name in masks else value
        assert torch.equal(start[name], expected)
    ticket, result = train.train(task, size, recipe, 0, "cpu", tmp_path / "ticket", lambda _: None,
                                 train.Variant(start_step=3, start=start, masks=masks, evaluate_at=(4, 8)))
    for name, mask in masks.items():
        weight = dict(ticket.named_parameters())[name]
        assert torch.all(weight[mask == 0] == 0) and torch.all(weight[mask == 1] != 0)
    assert [p["step"] for p in result["held_out_curve"]] == [4, 8]
    assert result["held_out_curve"][-1]["held_out_bits"] == result["held_out_bits"]


def test_evaluating_and_keeping_weights_do_not_change_training(tmp_path):
    task, size = _task(), model.Size(1, 16)
    recipe = Recipe(steps=6, batch=4, learning_rate=3e-3, warmup=2, checkpoint_every=6, log_every=6)
    plain, _ = train.train(task, size, recipe, 0, "cpu", tmp_path / "plain", lambda _: None)
    watched, _ = train.train(task, size, recipe, 0, "cpu", tmp_path / "watched", lambda _: None,
                             train.Variant(keep=(2,), evaluate_at=(1, 3, 6)))
    for (name, a), b in zip(plain.state_dict().items(), watched.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


# ---------------------------------------------------------------- the numbers behind the verdicts

def test_tokens_to_reach_interpolates_in_log_tokens():
    tokens, bits = [10, 100, 1000], [3.0, 2.0, 1.0]
    assert analysis.tokens_to_reach(tokens, bits, 1.5) == pytest.approx(10 ** 2.5)   # halfway, in log tokens
    assert analysis.tokens_to_reach(tokens, bits, 3.5) == 10                       # reached at the first point
    assert analysis.tokens_to_reach(tokens, bits, 1.0) == pytest.approx(1000)
    assert analysis.tokens_to_reach(tokens, bits, 0.5) is None


def test_paired_interval_hand_worked():
    # Differences 1, 2, 3: mean 2, standard deviation 1, t(0.975, 2) = 4.3027: 2 ± 4.3027/√3 = 2 ± 2.4841.
    mean, low, high = analysis.paired_interval([1, 2, 3])
    assert (mean, low, high) == pytest.approx((2, 2 - 2.48414, 2 + 2.48414), abs=1e-4)


def test_verdicts_follow_the_interval():
    assert analysis.verdict(1.2, 1.8, supported_if_above=1) == "supported"
    assert analysis.verdict(0.5, 0.9, supported_if_above=1) == "contradicted"
    assert analysis.verdict(0.9, 1.1, supported_if_above=1) == "not resolved"
    assert analysis.verdict(-0.3, -0.1, supported_if_below=0) == "supported"
    assert analysis.verdict(0.1, 0.3, supported_if_below=0) == "contradicted"
