"""Read a config, choose the model class, and build the model on the meta device."""

import json
import pathlib

import torch
from torch import nn

# Meta-device building still creates every module in Python, so its time grows with depth. The deepest
# published models have about 100-200 layers; 1,000 leaves room and refuses configs that would run for minutes.
MAX_LAYERS = 1000
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "encoder_layers", "decoder_layers", "n_layers",
              "layers_per_block")


class ConfigError(ValueError):
    """A config that cannot be turned into a model (one line: file and problem)."""


def read_config(path: pathlib.Path) -> dict:
    """A config.json (or a folder holding one) as a dict."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "config.json"
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: malformed JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return config


def check_size(config: dict, where: str) -> None:
    """Refuse, in one line, a config deeper than MAX_LAYERS before spending minutes building it."""
    for key in LAYER_KEYS:
        layers = config.get(key)
        if isinstance(layers, int) and layers > MAX_LAYERS:
            raise ConfigError(f"{where}: {key} = {layers:,} is over the {MAX_LAYERS:,} layers this tool builds "
                              "(the deepest published models have about 100-200)")


def is_decoder_only(model_type: str) -> bool:
    """A causal language model with no encoder: transformers maps it to a causal-LM class, and to no masked-LM or
    sequence-to-sequence class (BERT and Whisper also have causal-LM classes, for their decoder-style use)."""
    from transformers.models.auto import modeling_auto as auto

    return (model_type in auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
            and not any(model_type in mapping for mapping in (
                auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES, auto.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
                auto.MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES)))


def choose_class(config: dict, where: str, class_name: str | None = None) -> tuple[str, str]:
    """(class name, why that class): ``class_name``, the config's own choice, or the model's head.

    A config without ``architectures`` (hand-written or exported) would build the bare
    AutoModel, which for a decoder-only model leaves out the LM head: a Llama-3-8B
    config would count 7.50B instead of 8.03B. Decoder-only types get their causal-LM class.
    """
    if class_name:
        return class_name, "chosen with --class"
    if "_class_name" in config:
        return config["_class_name"], "the config's _class_name"
    if "model_type" not in config:
        raise ConfigError(f"{where}: neither 'model_type' (transformers) nor '_class_name' (diffusers) is set")
    if config.get("architectures"):
        return config["architectures"][0], "the config's architectures"
    from transformers.models.auto import modeling_auto

    kind = config["model_type"]
    if is_decoder_only(kind):
        return (modeling_auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES[kind],
                "no architectures in the config; the causal-LM class of a decoder-only model, LM head included")
    if kind in modeling_auto.MODEL_MAPPING_NAMES:
        return (modeling_auto.MODEL_MAPPING_NAMES[kind],
                "no architectures in the config; the bare model without a task head (pass --class to add one)")
    raise ConfigError(f"{where}: unknown model_type '{kind}' for transformers")


def model_class(config: dict, where: str, class_name: str | None = None):
    """The transformers or diffusers class itself. diffusers is imported only for a diffusers config."""
    name, _ = choose_class(config, where, class_name)
    if "_class_name" in config:
        import diffusers

        cls = getattr(diffusers, name, None)
        if cls is None:
            raise ConfigError(f"{where}: unknown diffusers _class_name '{name}'")
        return cls
    import transformers

    if config["model_type"] not in transformers.CONFIG_MAPPING:
        raise ConfigError(f"{where}: unknown model_type '{config['model_type']}' for transformers "
                          f"{transformers.__version__}")
    cls = getattr(transformers, name, None)
    if cls is None:
        raise ConfigError(f"{where}: transformers has no class '{name}'")
    return cls


def build(config: dict, where: str, class_name: str | None = None, subconfig: str | None = None) -> nn.Module:
    """Instantiate on the meta device: shapes without storage, nothing downloaded.

    ``torch.device("meta")`` as a context keeps tied weights tied (accelerate's
    init_empty_weights does not, see the census issue).
    """
    check_size(config, where)
    cls = model_class(config, where, class_name)
    try:
        with torch.device("meta"):
            if "_class_name" in config:
                return cls.from_config({k: v for k, v in config.items() if not k.startswith("_")})
            import transformers

            # Build in fp32 whatever dtype the checkpoint was saved in: counting needs shapes only, and
            # mixed dtypes break FLOP counting of fused kernels (Mixtral's grouped matmul).
            hf_config = transformers.AutoConfig.for_model(
                **{k: v for k, v in config.items() if k not in ("torch_dtype", "dtype")})
            if subconfig:
                hf_config = getattr(hf_config, subconfig)
            return cls(hf_config)
    except Exception as error:  # transformers/diffusers raise many kinds; name the file
        raise ConfigError(f"{where}: cannot build {cls.__name__} ({type(error).__name__}: {error})") from None
