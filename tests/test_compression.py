"""Compression: the quantiser, the pruner and the pass/fail bookkeeping, on hand-worked cases;
the models' sizes against published or hand-computed counts."""

import pytest
import torch
import torch.nn.utils.prune as prune

from analyses import _datasets
from analyses._runner import Context
from analyses._spec import External, Spec
from analyses.compression import SPEC, compress, data, models
from analyses.compression.analysis import lowest_passing
from tests.conftest import requires


def test_rtn_hand_worked_rows():
    w = torch.tensor([[1.0, 0.5, -0.26, 0.0], [0.0, 0.0, 0.0, 0.0]])
    # 2 bits: levels {-1, 0, 1}·s with s = 1; 0.5 rounds half to even, to 0.
    assert compress.quantise_rtn(w, 2).tolist() == [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    # 3 bits: s = 1/3; 0.5 → 2/3, −0.26 → −1/3. An all-zero row stays zero (no division by zero).
    got = compress.quantise_rtn(w, 3)
    assert torch.allclose(got, torch.tensor([[1.0, 2 / 3, -1 / 3, 0.0], [0.0, 0.0, 0.0, 0.0]]))


@pytest.mark.parametrize("bits", [16, 8, 6, 4, 3, 2])
def test_rtn_error_bound_and_grid(bits):
    w = torch.randn(64, 3, 5, 5, generator=torch.Generator().manual_seed(bits))
    q = compress.quantise_rtn(w, bits)
    scale = w.reshape(64, -1).abs().amax(1) / (2 ** (bits - 1) - 1)           # (64,)
    error = (w - q).reshape(64, -1).abs().amax(1)
    float32 = 4 * torch.finfo(torch.float32).eps * w.reshape(64, -1).abs().amax(1)   # float rounding in w/s·s
    assert torch.all(error <= scale / 2 + float32)                              # round-to-nearest: at most half a step
    codes = q.reshape(64, -1) / scale[:, None]
    assert torch.allclose(codes, codes.round(), atol=1e-3)                      # every value sits on the grid
    assert codes.abs().max() <= 2 ** (bits - 1) - 1 + 1e-3
    assert q.reshape(64, -1).abs().amax(1).allclose(w.reshape(64, -1).abs().amax(1))  # the extreme is exact


def test_stored_bits_hand_worked():
    weights = {"w": torch.zeros(4, 8)}           # 32 weights, 4 rows → 4 scales; plus 4 fp32 biases
    assert compress.stored_bits_per_parameter(weights, 8, 36) == pytest.approx((8 * 32 + 32 * 4 + 32 * 4) / 36)


@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.37, 0.5, 0.9])
def test_pruning_hits_exact_sparsity_and_matches_torch(sparsity):
    g = torch.Generator().manual_seed(1)
    layers = torch.nn.Sequential(torch.nn.Linear(13, 7), torch.nn.Conv2d(3, 5, 3), torch.nn.Linear(7, 3))
    for p in layers.parameters():
        p.data = torch.randn(p.shape, generator=g)
    weights = {name: p for name, p in layers.named_parameters() if p.dim() >= 2}

    per_layer, = compress.magnitude_masks(weights, [sparsity], "layer")
    for name, w in weights.items():
        assert int((~per_layer[name]).sum()) == round(sparsity * w.numel())
        host = torch.nn.Module()
        host.weight = torch.nn.Parameter(w.detach().clone())
        prune.l1_unstructured(host, "weight", amount=round(sparsity * w.numel()))
        assert torch.equal(per_layer[name], host.weight_mask.bool())

    total = sum(w.numel() for w in weights.values())
    overall, = compress.magnitude_masks(weights, [sparsity], "global")
    assert sum(int((~m).sum()) for m in overall.values()) == round(sparsity * total)
    copies = [torch.nn.Linear(13, 7), torch.nn.Conv2d(3, 5, 3), torch.nn.Linear(7, 3)]
    for c, w in zip(copies, weights.values(), strict=True):
        c.weight = torch.nn.Parameter(w.detach().clone())
    prune.global_unstructured([(c, "weight") for c in copies], prune.L1Unstructured,
                                             amount=round(sparsity * total))
    for c, m in zip(copies, overall.values(), strict=True):
        assert torch.equal(m, c.weight_mask.bool())


def test_pruning_rejects_bad_arguments():
    w = {"w": torch.ones(2, 2)}
    with pytest.raises(ValueError, match="scope must be"):
        compress.magnitude_masks(w, [0.5], "row")
    with pytest.raises(ValueError, match="sparsities must be"):
        compress.magnitude_masks(w, [0.5, 1.0], "global")


def test_replaced_restores_even_after_an_error():
    layer = torch.nn.Linear(3, 2)
    before = layer.weight.detach().clone()
    weights = {"weight": layer.weight}
    with pytest.raises(RuntimeError), compress.replaced(weights, {"weight": torch.zeros(2, 3)}):
        assert torch.count_nonzero(layer.weight) == 0
        raise RuntimeError
    assert torch.equal(layer.weight, before)


def test_lowest_passing():
    assert lowest_passing([16, 8, 4, 2], [1.0, 0.995, 0.98, 0.5], 0.99) == (8, 4)
    assert lowest_passing([16, 8, 4, 2], [1.0, 0.98, 0.995, 0.5], 0.99) == (16, 8)   # a later recovery does not count
    assert lowest_passing([0.1, 0.2], [0.5, 1.0], 0.99) == (None, 0.1)
    assert lowest_passing([0.1, 0.2], [1.0, 1.0], 0.99) == (0.2, None)


def test_nearest_neighbour_hand_worked():
    e = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), dim=1)
    assert models._nearest(e).tolist() == [1, 0, 1]


def test_segment_iou_identical_and_disjoint():
    frames = 50
    speech_first = torch.cat([torch.ones(25), torch.zeros(25)])[None]     # (1, frames)
    assert models._segment_iou(speech_first, speech_first, frames * 512) == 1.0
    # Silero pads every segment by 30 ms (480 samples) each side, so speech then silence and silence then
    # speech overlap by 2 × 480 samples out of the whole clip.
    assert models._segment_iou(speech_first, speech_first.flip(1), frames * 512) == pytest.approx(960 / (frames * 512))


def test_evaluation_sets_are_seeded(fortunes_fixture, fashion_fixture):
    entries, path = fortunes_fixture
    fortunes = _datasets.fortunes(path)
    assert data.sentences(4, 3, fortunes) == data.sentences(4, 3, fortunes) != data.sentences(4, 4, fortunes)
    # Half from the KJV, half from the fortunes: only entries of 40–200 characters, newlines folded.
    assert set(data.sentences(4, 3, fortunes)[2:]) <= {" ".join(e.split()) for e in entries if 40 <= len(e) <= 200}
    (fashion, _), _ = fashion_fixture
    images, sources = data.images(4, fashion, 2, seed=0, side=32)
    assert images.shape == (6, 3, 32, 32) and images.min() >= -1 and images.max() <= 1
    assert sources[-2:] == ["fashion-mnist", "fashion-mnist"]
    # A constant 28×28 image stays constant when upscaled: its value says which fixture image was drawn.
    drawn = sorted(round((float(im[0, 0, 0]) + 1) * 127.5 / 20) for im in images[-2:])
    assert drawn == sorted(int(i) for i in data.seeded_subset(fashion, 2, 0)[:, 0, 0] // 20)


def test_missing_debian_data_names_the_package():
    spec = Spec("t", ("essay.question",), "index.md", external=(External("/nonexistent/fortunes", "fortunes"),
                                                                 External("no-such-program-here", "espeak-ng")))
    ctx = Context("t", spec, "quick", "cpu")
    with pytest.raises(FileNotFoundError, match=r"/nonexistent/fortunes is missing \(apt-get install fortunes\)"):
        ctx.data("/nonexistent/fortunes")
    with pytest.raises(FileNotFoundError, match=r"apt-get install espeak-ng"):
        ctx.program("no-such-program-here")


@requires(_datasets.ESPEAK_NG)
def test_speech_clips_hold_speech_at_the_stated_places():
    clips, about = data.speech_clips(2, 3, ["one two three four", "five six", "seven eight"], 0,
                                     Context("compression", SPEC, "quick", "cpu").program("espeak-ng"))
    assert clips.shape == (2, 3 * data.SAMPLE_RATE) and clips.abs().max() <= 1
    assert all(0 < a["speech_seconds"] <= 3 and 5 <= a["snr_db"] <= 25 for a in about)


def test_model_sizes():
    language = models.language(["one sentence.", "another sentence."], "all-MiniLM-L6-v2", "cpu")
    assert round(language.parameters() / 1e6, 1) == 22.7          # the model card's 22.7M
    vision = models.vision(torch.zeros(1, 3, 224, 224), ["x"], "efficientnet-lite0", "cpu")
    assert round(vision.parameters() / 1e6, 2) == 4.65             # EfficientNet-Lite0: 4.65M
    # Stages repeat their block 1, 2, 2, 3, 3, 4, 1 times; every repeat after a stage's first is stride 1
    # with equal widths, so 0+1+1+2+2+3+0 = 9 blocks have an identity residual path.
    assert len(vision.blocks) == 9
    audio = models.audio(torch.zeros(1, 512 * 4), "cpu")
    # The 16 kHz branch, hand-counted from its layers: four convs (kernel 3), an LSTM cell of width 128, a 1×1 conv.
    convs = [(129, 128), (128, 64), (64, 64), (64, 128)]
    lstm = 4 * 128 * (128 + 128) + 2 * 4 * 128
    assert audio.parameters() == sum(i * o * 3 + o for i, o in convs) + lstm + 128 + 1


def test_block_drop_restores_the_model():
    sentences = ["In the beginning God created the heaven and the earth.", "A fool and his money are soon parted."]
    language = models.language(sentences, "all-MiniLM-L6-v2", "cpu")
    before = language.outputs()
    with language.drop_blocks([0, 5]):
        assert len(language.module.encoder.layer) == 4
        assert not torch.allclose(language.outputs(), before)
    assert torch.equal(language.outputs(), before)


def test_fidelity_counts_the_clear_half():
    # Five decisions with margins 0.9, 0.8, 0.7, 0.1, 0.05: the median is 0.7, so the clear half is the first
    # three. Flipping the near-tie (margin 0.1) costs nothing there and one in five overall.
    reference = torch.tensor([[0.95, 0.05], [0.9, 0.1], [0.85, 0.15], [0.55, 0.45], [0.525, 0.475]])
    output = reference.clone()
    output[3] = torch.tensor([0.45, 0.55])

    def margins(p):
        return (p[:, 0] - p[:, 1]).abs()

    got = models.fidelity(lambda p: p.argmax(1), margins, lambda r, o: ("none", 0.0), reference, output)
    assert (got.fidelity, got.fidelity_all, got.clear_count, got.decisions) == (1.0, pytest.approx(0.8), 3, 5)


def test_loading_silero_leaves_torch_threads_alone():
    threads = torch.get_num_threads()
    models.audio(torch.zeros(1, 512 * 4), "cpu")
    assert torch.get_num_threads() == threads
