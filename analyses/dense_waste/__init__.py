from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    contexts: list[int]             # contexts of the 7B FLOP and traffic curves (counted on meta)
    bench_lengths: list[int]        # sequence lengths of the attention benchmark
    bench_head_dims: list[int]
    bench_heads: int
    bench_repeats: int


SPEC = Spec(
    title="Compute waste in dense transformers: active parameters, attention's share, fused attention",
    tests=("comment.dense_compute_waste",),
    page="evidence/dense-waste.md",
    params=Params,
    test_overrides={"bench_lengths": [64, 4096], "bench_head_dims": [16], "bench_heads": 2, "bench_repeats": 1},
    catalog=("census", "dense"),
    data=("analyses/modelstats/configs/mixtral-8x7b/config.json", "analyses/modelstats/configs/llama-2-7b/config.json"),
    profiles={
        # contexts for the 7B FLOP/traffic curves (counted on meta); benchmark grid for naive vs fused attention
        "quick": {"contexts": [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
                  "bench_lengths": [256, 512, 1024, 2048, 4096], "bench_head_dims": [64, 128], "bench_heads": 8,
                  "bench_repeats": 5},
        "full": {"contexts": [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
                 "bench_lengths": [256, 512, 1024, 2048, 4096, 8192, 16384], "bench_head_dims": [64, 128],
                 "bench_heads": 16, "bench_repeats": 10},
    },
)
