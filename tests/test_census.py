"""Census: models.yaml is validated, one line naming the entry and the field."""

import pytest

from analyses.modelstats.build import ConfigError


def test_models_yaml_errors_name_the_entry(tmp_path):
    from analyses.census.analysis import load_models

    path = tmp_path / "models.yaml"
    path.write_text("- id: x\n  name: X\n  modality: smell\n  released: 2020-01\n  released_source: https://a\n"
                    "  upstream: https://b\n  components: {model: {config: gpt2/config.json}}\n")
    with pytest.raises(ConfigError, match=r"models.yaml entry 1 \(x\): modality must be"):
        load_models(path)
    assert len(load_models()) >= 30
