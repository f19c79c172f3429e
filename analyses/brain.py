"""The cortex in "parameters": neurons and synapses of brain areas, from cited counts, with ranges.

No one measures "parameters of the visual cortex". This module builds it from
catalog rows (analyses/catalog/brain.yaml):

    neurons(area)  = neocortical neurons × area's share of cortex
    synapses(area) = neurons(area) × synapses per neuron          (range)
                   ≈ neocortical synapses × share                  (central: Pakkenberg et al. 2003)
    V1 neurons     = neuron density × V1 volume × 2 hemispheres

Each count is (low, central, high): low multiplies low with low, high multiplies high
with high; they show the spread of the sources, not a confidence interval. ``row`` is
an analysis's ``ctx.row`` (catalog row by id). Used by brain_scale and weight_sharing.
"""

import math

# area -> catalog row with its share of cortex (None: the whole neocortex)
AREAS = {"neocortex": None, "visual cortex": "millidge_visual_share", "auditory cortex": "millidge_auditory_share",
         "language areas": "millidge_language_share"}
# Three definitions of a brain "parameter", each with the key its values go under.
DEFINITIONS = {"synapses": "synapses", "16-bit equivalents": "16bit", "neurons": "neurons"}
BITS_PER_PARAMETER = 16  # a bf16/fp16 model parameter

Range = tuple[float, float, float]  # (low, central, high)


def area_counts(row, area: str) -> dict[str, Range]:
    """Neurons and synapses of one area of AREAS."""
    share = (1.0, 1.0, 1.0) if AREAS[area] is None else tuple(x / 100 for x in (
        row(AREAS[area]).range[0], row(AREAS[area]).value, row(AREAS[area]).range[1]))
    low_n = row("neocortex_neurons_fractionator").value          # 10.2 billion (2023)
    high_n = row("neocortex_neurons_stereology").range[1]        # 23 billion (men, 1997)
    spn = row("synapses_per_neuron")
    neurons = (low_n * share[0], math.sqrt(low_n * high_n) * share[1], high_n * share[2])
    synapses = (neurons[0] * spn.range[0], row("neocortex_synapses").value * share[1], neurons[2] * spn.range[1])
    return {"neurons": neurons, "synapses": synapses}


def v1_neurons(row) -> Range:
    """Neurons in V1, both hemispheres: density × volume × 2."""
    densities = sorted([row("v1_density_1987").value, row("v1_density_2024").value])
    volume = row("v1_volume")
    return (densities[0] * volume.range[0] * 2, math.sqrt(densities[0] * densities[1]) * volume.value * 2,
            densities[1] * volume.range[1] * 2)


def v1_counts(row) -> dict[str, Range]:
    """Neurons and synapses of V1: its neurons × synapses per neuron (range and central value)."""
    neurons = v1_neurons(row)
    spn = row("synapses_per_neuron")
    return {"neurons": neurons, "synapses": (neurons[0] * spn.range[0], neurons[1] * spn.value,
                                             neurons[2] * spn.range[1])}


def as_parameters(counts: dict, definition: str, bits_per_synapse: float) -> Range:
    """Brain 'parameters' under one definition of DEFINITIONS (16-bit equivalents: Bartol et al. 2015's bits)."""
    if definition == "synapses":
        return counts["synapses"]
    if definition == "16-bit equivalents":
        return tuple(s * bits_per_synapse / BITS_PER_PARAMETER for s in counts["synapses"])
    if definition == "neurons":
        return counts["neurons"]
    raise ValueError(f"unknown definition '{definition}'")


def orders_of_magnitude(brain: Range, model: float) -> Range:
    """log10(brain / model) for each end of the range."""
    return tuple(math.log10(b / model) for b in brain)
