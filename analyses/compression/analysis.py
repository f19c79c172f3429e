"""How much of a trained model can go before its outputs change? Three real pretrained models,
one per modality, each shrunk three ways with no retraining:

- weight quantisation, round-to-nearest per channel, 16 down to 2 bits (and torch's int8 baseline);
- magnitude pruning, 10% to 90% of weights, one threshold for the model or one per layer;
- dropping residual blocks, one at a time and then the k least important together.

Fidelity is the share of the model's decisions that stay the same as the unmodified model's on
the same inputs: the nearest other sentence (language), the top-1 class (vision), the speech/no
speech call per 32 ms frame (audio). It is counted on the clear half of the decisions (those
where the unmodified model's margin is at least the median; see models.fidelity) and on all of
them. A second, continuous metric goes beside each. The numbers that compare modalities are
where clear-decision fidelity first drops below the bar (99%).
"""

import time

import altair as alt

from analyses import _datasets
from analyses.compression import compress, data, models

MODALITY_ORDER = ["language", "vision", "audio"]
COLOURS = alt.Scale(domain=MODALITY_ORDER, range=["#4c78a8", "#f58518", "#54a24b"])


def lowest_passing(levels: list[float], fidelity: list[float], bar: float) -> tuple[float | None, float | None]:
    """For levels ordered from mildest to harshest compression: (the harshest level such that it and
    every milder level keep fidelity ≥ bar, the first level that fails). None where there is none."""
    passing = None
    for level, value in zip(levels, fidelity, strict=True):
        if value < bar:
            return passing, level
        passing = level
    return passing, None


def run(ctx) -> None:
    p, out, seed = ctx.params, ctx.results, ctx.seed
    bar = p["fidelity_bar"]

    ctx.step("evaluation sets: sentences, photos, speech")
    texts = data.sentences(p["sentences"], seed, _datasets.fortunes(ctx.data(_datasets.FORTUNES.path)))
    fashion, _ = _datasets.fashion_mnist(ctx, "t10k")
    images, sources = data.images(p["photo_crops"], fashion, p["fashion_mnist"], seed)
    clips, _ = data.speech_clips(p["clips"], p["clip_seconds"], texts, seed, ctx.program(_datasets.ESPEAK_NG.path))

    ctx.step("models")
    subjects = [models.language(texts, p["language_model"], ctx.device),
                models.vision(images, sources, p["vision_model"], ctx.device),
                models.audio(clips, ctx.device)]

    quant_rows, prune_rows, single_rows, cumulative_rows, summary_rows, timing_rows = [], [], [], [], [], []
    for s in subjects:
        weights = s.weights()
        total = s.parameters()
        started = time.perf_counter()
        reference = s.outputs()
        evaluations = 1

        def measure(outputs, subject=s, reference=reference) -> dict:
            metrics = subject.compare(reference, outputs)
            del metrics["clear_count"]          # the same for every setting; recorded once below
            return metrics

        out.value(f"{s.modality}_clear_decisions", s.compare(reference, reference)["clear_count"], "",
                  f"{s.model}: decisions in the clear half (of {reference.shape[0] if s.modality != 'audio' else reference.numel()})")

        ctx.step(f"{s.modality}: round-to-nearest quantisation, {p['bits'][0]} to {p['bits'][-1]} bits")
        for bits in p["bits"]:
            with compress.replaced(weights, {n: compress.quantise_rtn(w, bits) for n, w in weights.items()}):
                metrics = measure(s.outputs())
            evaluations += 1
            quant_rows.append({"modality": s.modality, "method": f"RTN {bits}-bit", "bits": bits,
                               "stored_bits_per_parameter": compress.stored_bits_per_parameter(weights, bits, total),
                               **metrics})
        # Two references: a bfloat16 cast of the same weights (what deployment often uses), and torch's int8 kernels.
        with compress.replaced(weights, {n: w.bfloat16().float() for n, w in weights.items()}):
            metrics = measure(s.outputs())
        evaluations += 1
        quant_rows.append({"modality": s.modality, "method": "bfloat16 cast", "bits": 16,
                           "stored_bits_per_parameter": 32 - 16 * sum(w.numel() for w in weights.values()) / total,
                           **metrics})
        if s.int8_dynamic is not None:
            metrics = measure(s.int8_dynamic())
            evaluations += 1
            quant_rows.append({"modality": s.modality, "method": "torch int8 dynamic", "bits": 8,
                               "stored_bits_per_parameter": 8 * s.int8_dynamic_share + 32 * (1 - s.int8_dynamic_share),
                               **metrics})

        ctx.step(f"{s.modality}: magnitude pruning, global and per layer")
        for scope in ("global", "layer"):
            for sparsity, masks in zip(p["sparsities"], compress.magnitude_masks(weights, p["sparsities"], scope),
                                       strict=True):
                with compress.replaced(weights, {n: w * masks[n] for n, w in weights.items()}):
                    metrics = measure(s.outputs())
                evaluations += 1
                prune_rows.append({"modality": s.modality, "scope": scope, "sparsity": sparsity, **metrics})

        blocks_removable = None
        if s.drop_blocks is not None:
            ctx.step(f"{s.modality}: dropping each of {len(s.blocks)} blocks, then the k least important")
            impact = []
            for i, (name, depth) in enumerate(zip(s.blocks, s.block_depths, strict=True)):
                with s.drop_blocks([i]):
                    metrics = measure(s.outputs())
                evaluations += 1
                impact.append(metrics["fidelity"])
                single_rows.append({"modality": s.modality, "block": name, "depth": depth, **metrics})
            order = sorted(range(len(s.blocks)), key=lambda i: -impact[i])   # least harmful first
            fidelities = []
            for k in range(1, len(s.blocks) + 1):
                with s.drop_blocks(order[:k]):
                    metrics = measure(s.outputs())
                evaluations += 1
                fidelities.append(metrics["fidelity"])
                cumulative_rows.append({"modality": s.modality, "blocks_dropped": k,
                                        "share_of_droppable": k / len(s.blocks),
                                        "dropped": ", ".join(s.blocks[i] for i in sorted(order[:k])), **metrics})
            k_pass, _ = lowest_passing(list(range(1, len(s.blocks) + 1)), fidelities, bar)
            blocks_removable = (k_pass or 0) / len(s.blocks)
        seconds = time.perf_counter() - started
        timing_rows.append({"modality": s.modality, "evaluations": evaluations, "seconds": round(seconds, 1),
                            "seconds_per_evaluation": round(seconds / evaluations, 2)})

        ctx.step(f"{s.modality}: where fidelity crosses {100 * bar:g}%")
        key = s.modality
        out.value(f"{key}_parameters", total, "parameters", f"{s.model}: parameters")
        out.value(f"{key}_compressed_share", 100 * sum(w.numel() for w in weights.values()) / total, "%",
                  f"{s.model}: share of parameters in matrices and kernels (what is quantised and pruned)")
        rtn = [r for r in quant_rows if r["modality"] == key and r["method"].startswith("RTN")]
        bits_pass, bits_fail = lowest_passing([r["bits"] for r in rtn], [r["fidelity"] for r in rtn], bar)
        if bits_pass is not None:
            out.value(f"{key}_bits_at_bar", bits_pass, "bits",
                      f"{s.model}: fewest RTN bits per weight keeping ≥ {100 * bar:g}% of clear decisions "
                      f"(the true threshold lies above the first failing width)",
                      low=bits_pass if bits_fail is None else bits_fail, high=bits_pass)
        for r in rtn:
            out.value(f"{key}_fidelity_{r['bits']}bit", 100 * r["fidelity"], "%",
                      f"{s.model}: clear decisions kept after RTN to {r['bits']} bits")
            out.value(f"{key}_fidelity_all_{r['bits']}bit", 100 * r["fidelity_all"], "%",
                      f"{s.model}: all decisions kept after RTN to {r['bits']} bits")
        bf16, = [r for r in quant_rows if r["modality"] == key and r["method"] == "bfloat16 cast"]
        out.value(f"{key}_fidelity_bf16", 100 * bf16["fidelity"], "%", f"{s.model}: clear decisions kept in bfloat16")
        out.value(f"{key}_fidelity_all_bf16", 100 * bf16["fidelity_all"], "%",
                  f"{s.model}: all decisions kept in bfloat16")
        sparsity_at_bar = {}
        for scope in ("global", "layer"):
            rows = [r for r in prune_rows if r["modality"] == key and r["scope"] == scope]
            keep, fail = lowest_passing([r["sparsity"] for r in rows], [r["fidelity"] for r in rows], bar)
            sparsity_at_bar[scope] = keep or 0.0
            out.value(f"{key}_sparsity_at_bar_{scope}", 100 * (keep or 0), "%",
                      f"{s.model}: most weights pruned ({scope} magnitude) keeping ≥ {100 * bar:g}% of clear decisions",
                      low=100 * (keep or 0), high=100 * (keep or 0 if fail is None else fail))
            for r in rows:
                if r["sparsity"] in (0.5, 0.9):
                    out.value(f"{key}_fidelity_{scope}_{round(100 * r['sparsity'])}pct", 100 * r["fidelity"], "%",
                              f"{s.model}: clear decisions kept with {r['sparsity']:.0%} of weights pruned ({scope})")
        int8 = [r for r in quant_rows if r["modality"] == key and r["method"] == "torch int8 dynamic"]
        if int8:
            out.value(f"{key}_fidelity_int8_dynamic", 100 * int8[0]["fidelity"], "%",
                      f"{s.model}: clear decisions kept with torch's dynamic int8 quantisation")
            out.value(f"{key}_int8_dynamic_share", 100 * s.int8_dynamic_share, "%",
                      f"{s.model}: share of parameters in nn.Linear layers (what torch's int8 baseline quantises)")
        if blocks_removable is not None:
            out.value(f"{key}_blocks_removable", 100 * blocks_removable, "%",
                      f"{s.model}: share of droppable blocks that can go together keeping ≥ {100 * bar:g}% of clear decisions")
            out.value(f"{key}_droppable_blocks", len(s.blocks), "", f"{s.model}: blocks with an identity residual path")
            mine = [r for r in single_rows if r["modality"] == key]
            worst = min(mine, key=lambda r: r["fidelity"])
            out.value(f"{key}_worst_block_depth", worst["depth"], "",
                      f"{s.model}: relative depth of the block whose removal changes most decisions (0 first, 1 last)")
            out.value(f"{key}_worst_block_fidelity", 100 * worst["fidelity"], "%",
                      f"{s.model}: clear decisions kept without its most important block")
            best = max(mine, key=lambda r: r["fidelity"])
            out.value(f"{key}_best_block_fidelity", 100 * best["fidelity"], "%",
                      f"{s.model}: clear decisions kept without its least important block")
            out.value(f"{key}_best_block_depth", best["depth"], "",
                      f"{s.model}: relative depth of the block whose removal changes fewest decisions")
        summary_rows.append({
            "modality": key, "model": s.model, "task": s.task, "parameters": total, "inputs": s.inputs,
            "fewest_bits_at_bar": bits_pass, "sparsity_at_bar_global": sparsity_at_bar["global"],
            "sparsity_at_bar_layer": sparsity_at_bar["layer"],
            "blocks_removable": "no residual blocks" if blocks_removable is None else f"{blocks_removable:.0%} "
                                f"of {len(s.blocks)}"})
    out.value("fidelity_bar", 100 * bar, "%", "The fidelity bar: share of clear decisions that must stay unchanged")

    ctx.step("tables and charts")
    out.table("summary", summary_rows, f"Three models, three compressions: the harshest setting keeping ≥ {100 * bar:g}%")
    out.table("quantisation", quant_rows, "Round-to-nearest weight quantisation: decisions kept against the fp32 model")
    out.table("pruning", prune_rows, "Magnitude pruning without retraining: decisions kept")
    out.table("block_drop", single_rows, "Dropping one residual block: decisions kept")
    out.table("block_drop_cumulative", cumulative_rows, "Dropping the k least important blocks together")
    ctx.measurements.table("timing", timing_rows, f"Time of each model's evaluations on {ctx.device}")
    _charts(out, quant_rows, prune_rows, single_rows, cumulative_rows, bar)


def _charts(out, quant_rows, prune_rows, single_rows, cumulative_rows, bar) -> None:
    rule = alt.Chart(alt.Data(values=[{"bar": bar}])).mark_rule(strokeDash=[4, 4], color="#888").encode(y="bar:Q")
    colour = alt.Color("modality:N", scale=COLOURS, legend=alt.Legend(orient="bottom", title=None))
    fidelity = alt.Y("fidelity:Q", title="Clear decisions unchanged", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1]))
    tips = ["modality:N", alt.Tooltip("fidelity:Q", format=".1%", title="clear decisions unchanged"),
            alt.Tooltip("fidelity_all:Q", format=".1%", title="all decisions unchanged"), "second_metric:N",
            alt.Tooltip("second_value:Q", format=".4~g")]

    rtn = [r for r in quant_rows if r["method"].startswith("RTN")]
    chart = alt.Chart(alt.Data(values=rtn)).mark_line(point=True).encode(
        x=alt.X("bits:Q", scale=alt.Scale(type="log", base=2, reverse=True), title="Bits per weight (log scale)",
                axis=alt.Axis(values=sorted({r["bits"] for r in rtn}))),
        y=fidelity, color=colour, tooltip=["bits:Q", *tips])
    out.chart("fidelity_vs_bits", (chart + rule).properties(width=520, height=280),
              "Fidelity against bits per weight",
              "Lines of the share of clear decisions unchanged against the bit width of round-to-nearest quantisation, "
              f"one per modality, with a dashed line at {100 * bar:g}%.", data="quantisation")

    chart = alt.Chart(alt.Data(values=prune_rows)).mark_line(point=True).encode(
        x=alt.X("sparsity:Q", title="Share of weights pruned", axis=alt.Axis(format="%")),
        y=fidelity, color=colour, strokeDash=alt.StrokeDash("scope:N", legend=alt.Legend(orient="bottom")),
        tooltip=["scope:N", alt.Tooltip("sparsity:Q", format=".0%"), *tips])
    out.chart("fidelity_vs_sparsity", (chart + rule).properties(width=520, height=280),
              "Fidelity against sparsity",
              "Lines of the share of clear decisions unchanged against the share of weights removed by magnitude, "
              "solid for one global threshold and dashed for one threshold per layer.", data="pruning")

    chart = alt.Chart(alt.Data(values=single_rows)).mark_line(point=True).encode(
        x=alt.X("depth:Q", title="Depth of the dropped block (0 = first block, 1 = last)"),
        y=fidelity, color=colour, tooltip=["block:N", alt.Tooltip("depth:Q", format=".2f"), *tips])
    out.chart("block_drop_by_depth", (chart + rule).properties(width=520, height=280),
              "What one missing block costs, by depth",
              "Share of clear decisions unchanged after removing one residual block, against the block's relative depth, "
              "for the language and vision models.", data="block_drop")

    chart = alt.Chart(alt.Data(values=cumulative_rows)).mark_line(point=True).encode(
        x=alt.X("share_of_droppable:Q", title="Share of droppable blocks removed", axis=alt.Axis(format="%")),
        y=fidelity, color=colour, tooltip=["blocks_dropped:Q", "dropped:N", *tips])
    out.chart("block_drop_cumulative", (chart + rule).properties(width=520, height=280),
              "Removing the least important blocks together",
              "Share of clear decisions unchanged as the k least important blocks are removed together.",
              data="block_drop_cumulative")
