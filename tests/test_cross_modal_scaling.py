"""Cross-modal scaling: the data pipeline round-trips, the fit recovers known laws, training learns,
and an interrupted run resumes to the same result."""

import numpy as np
import pytest
import torch

from analyses import _datasets
from analyses.cross_modal_scaling import SPEC, Recipe, data, fit, judges, model, train
from tests.conftest import requires


def test_pixel_quantisation_round_trips():
    codes = torch.arange(16).repeat(4)
    assert torch.equal(data.quantise(data.dequantise(codes, 16), 16), codes)
    assert data.quantise(torch.tensor([0.0, 15.99, 16.0, 255.0]), 16).tolist() == [0, 0, 1, 15]


def test_downsample_averages_areas():
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, :14, :14] = 255                          # the top-left quarter white
    assert data.downsample(image, 2)[0].tolist() == [[255.0, 0.0], [0.0, 0.0]]


def test_image_sequences_are_class_then_pixels(fashion_fixture):
    (images, labels), _ = fashion_fixture
    sequences, label_tensor = data.image_sequences(images, labels, 8, 16)
    assert sequences.shape == (12, 65)
    assert torch.equal(sequences[:, 0], 16 + label_tensor)       # the class token
    # Image i is constant at 20·i: every pixel code is floor(20·i / 16) (16 levels of 16 grey values).
    assert sequences[:, 1:].tolist() == [[20 * i // 16] * 64 for i in range(12)]


@requires(*_datasets.FASHION_MNIST["train"], *_datasets.FASHION_MNIST["t10k"])
def test_real_fashion_mnist_loads_through_declared_inputs():
    from analyses._runner import Context
    ctx = Context("cross_modal_scaling", SPEC, "quick", "cpu")
    for split, count in (("train", 60_000), ("t10k", 10_000)):
        images, labels = _datasets.fashion_mnist(ctx, split)
        assert images.shape == (count, 28, 28) and labels.shape == (count,) and set(labels.tolist()) == set(range(10))


def test_text_split_is_by_document_and_bytes_round_trip(fortunes_fixture):
    entries, path = fortunes_fixture
    training, held, docs = data.text_streams(_datasets.fortunes(path))
    assert [docs[f"fortunes/{i}"] for i in range(len(entries))] == entries
    held_names = [n for n in docs if data.is_held_out(n)]
    assert 0 < len(held_names) < len(docs) / 5
    assert data.is_held_out(held_names[0]) and data.is_held_out(held_names[0])    # stable
    text = "In the beginning — é"
    assert data.decode(torch.tensor(list(text.encode()))) == text
    # Every byte of every document is in exactly one stream; documents are joined by two newlines.
    assert len(training) + len(held) == sum(len(t.encode()) for t in docs.values()) + 2 * (len(docs) - 2)


def test_fit_recovers_known_law():
    n = np.geomspace(1e3, 1e6, 8)
    loss = fit.power_law(n, 1.2, np.log(5e3), 0.25)
    floor, n_c, alpha = fit.fit(n, loss)
    assert (floor, n_c, alpha) == pytest.approx((1.2, 5e3, 0.25), rel=1e-4)
    noisy = loss + np.random.default_rng(0).normal(0, 0.002, len(n))
    low, high = np.percentile(fit.bootstrap(n, noisy, 200, 0)[:, 2], [2.5, 97.5])
    assert low < 0.25 < high


def test_parameters_to_floor_closed_form():
    # L∞ = 2, N_c = 1000, α = 0.5: within 10% means (1000/N)^0.5 = 0.2, so N = 25,000.
    assert fit.parameters_to_floor(2.0, 1000, 0.5, 0.10) == pytest.approx(25_000)


def test_parameter_count_and_flops():
    net = model.GPT(model.Size(2, 32), vocab=26, context=64)
    # Per block: two LayerNorms 2·2·32, qkv 32·96 + 96, proj 32·32 + 32, MLP 32·128 + 128 + 128·32 + 32;
    # then the final LayerNorm 2·32. Embeddings (26·32, 64·32) are left out.
    block = 4 * 32 + (32 * 96 + 96) + (32 * 32 + 32) + (32 * 128 + 128) + (128 * 32 + 32)
    assert net.non_embedding_parameters() == 2 * block + 2 * 32
    assert net.training_flops_per_token() == 6 * (2 * block + 64) + 6 * 2 * 64 * 32


def _tiny_task():
    """1,000 seeded images, each a horizontal ramp plus noise: something to learn, no data package needed."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 255, 28)[None, None, :] * rng.uniform(0.2, 1, (1000, 1, 1))
    images = np.clip(ramp + rng.normal(0, 10, (1000, 28, 28)), 0, 255).astype(np.uint8)
    sequences, _ = data.image_sequences(images, np.arange(1000) % 10, 8, 16)
    return train.Task("tiny", 26, 64, lambda b, g: sequences[torch.randint(0, 900, (b,), generator=g)],
                      sequences[900:])


def test_one_training_step_reduces_the_loss():
    task = _tiny_task()
    torch.manual_seed(0)
    net = model.GPT(model.Size(1, 16), task.vocab, task.context)
    batch = task.draw(64, torch.Generator().manual_seed(0))
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3)
    before = train.loss_of(net, batch)
    before.backward()
    optimiser.step()
    assert train.loss_of(net, batch) < before


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    task = _tiny_task()
    recipe = Recipe(steps=6, batch=8, learning_rate=3e-3, warmup=2, checkpoint_every=3, log_every=3)
    size = model.Size(1, 16)
    _, whole = train.train(task, size, recipe, 0, "cpu", tmp_path / "whole", lambda _: None)

    def interrupt(line):                   # the step-3 checkpoint is written; stop before the run ends
        if line.startswith("step 6/6"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train.train(task, size, recipe, 0, "cpu", tmp_path / "cut", interrupt)
    assert (tmp_path / "cut" / "partial.pt").exists() and not (tmp_path / "cut" / "final.pt").exists()
    lines = []
    _, resumed = train.train(task, size, recipe, 0, "cpu", tmp_path / "cut", lines.append)
    assert lines[0].startswith("resumed at step 3")
    assert resumed["held_out_bits"] == whole["held_out_bits"]
    _, again = train.train(task, size, recipe, 0, "cpu", tmp_path / "cut", lines.append)
    assert lines[-1].startswith("finished earlier") and again["held_out_bits"] == whole["held_out_bits"]


def test_judges_hand_worked():
    vocabulary = judges.vocabulary(["the cat sat on the mat"])
    # First and last words are cut as possibly partial: "xx the dog sat yy" -> the, dog, sat: 2 of 3 known.
    assert judges.word_validity(["xx the dog sat yy"], vocabulary) == pytest.approx(2 / 3)
    pairs = judges.bigrams(["the cat sat on the mat"])
    assert judges.bigram_attestation(["xx the cat sat down yy"], pairs) == pytest.approx(2 / 3)
