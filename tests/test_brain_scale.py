"""Brain-range arithmetic, hand-worked from the catalog rows."""

import math

import pytest

from analyses import catalog
from analyses.brain import area_counts, as_parameters, orders_of_magnitude, v1_neurons

ROWS = catalog.load("brain", "census")


def row(row_id):
    return ROWS[row_id]


def test_visual_cortex_ranges_by_hand():
    counts = area_counts(row, "visual cortex")
    # low: 10.2e9 neocortical neurons × 27% × 1,000 synapses each; high: 23e9 × 30% × 10,000.
    assert counts["neurons"][0] == pytest.approx(10.2e9 * 0.27)
    assert counts["synapses"][0] == pytest.approx(10.2e9 * 0.27 * 1000)
    assert counts["synapses"][2] == pytest.approx(23e9 * 0.30 * 10000)
    # central: Pakkenberg's 1.5e14 neocortical synapses × 28.5%.
    assert counts["synapses"][1] == pytest.approx(1.5e14 * 0.285)


def test_whole_neocortex_keeps_the_published_total():
    assert area_counts(row, "neocortex")["synapses"][1] == 1.5e14


def test_v1_from_density_and_volume():
    low, _, high = v1_neurons(row)
    assert low == pytest.approx(35000 * 3185 * 2) and high == pytest.approx(79000 * 7568 * 2)


def test_definitions_and_orders_of_magnitude():
    counts = {"synapses": (1.6e12, 1.6e12, 1.6e12), "neurons": (1e9, 1e9, 1e9)}
    # 4.7 bits per synapse in 16-bit parameters: 1.6e12 × 4.7 / 16 = 4.7e11.
    assert as_parameters(counts, "16-bit equivalents", 4.7)[0] == pytest.approx(4.7e11)
    assert as_parameters(counts, "neurons", 4.7)[0] == 1e9
    assert orders_of_magnitude((1e12, 1e12, 1e12), 1e9)[0] == pytest.approx(3)
    with pytest.raises(ValueError):
        as_parameters(counts, "dendrites", 4.7)
    assert math.isclose(orders_of_magnitude((860e6,) * 3, 860e6)[1], 0, abs_tol=1e-12)


def test_video_latent_shape_hand_worked():
    from analyses.brain_scale.analysis import video_latent_shape

    # 81 frames: the first alone, then 80 / 4 = 20 more latent frames; 480 / 8 = 60, 832 / 8 = 104.
    assert video_latent_shape(row) == (21, 60, 104)


def test_wan_configs_give_their_named_sizes():
    from analyses.brain_scale.analysis import WAN_CONFIGS
    from analyses.modelstats.build import build, read_config
    from analyses.modelstats.count import count_parameters

    counts = {name: count_parameters(build(read_config(path), name)) for name, path in WAN_CONFIGS.items()}
    assert round(counts["Wan 2.1 14B"] / 1e9) == 14          # the paper's 14B
    assert 1.3e9 < counts["Wan 2.1 1.3B"] < 1.45e9            # "1.3B" names a size class
