"""Peak memory of one call, for the analyses that time things on this machine."""

import torch


def peak_memory_bytes(fn, device: str) -> float:
    """Peak memory ``fn()`` allocates above what was allocated before it (bytes).

    CUDA: the caching allocator's peak. CPU: torch's profiler records every allocation
    and free per operator (``self_cpu_memory_usage``); their running sum in time order is
    the memory in use, and its maximum the peak. Unlike the resident-set size this does
    not hide memory that the allocator reuses.
    """
    if device == "cuda":
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() - before
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    in_use = peak = 0
    for event in sorted(prof.events(), key=lambda e: e.time_range.start):
        in_use += event.self_cpu_memory_usage
        peak = max(peak, in_use)
    return peak
