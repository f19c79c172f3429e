"""What an analysis declares about itself. Kept free of local imports: it is part of
every analysis's input hash, and only what can change results belongs there."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Spec:
    title: str
    tests: tuple[str, ...]                       # ids from analyses.arguments.ARGUMENTS
    page: str                                    # the docs page that presents it, e.g. "evidence/exposure.md"
    profiles: dict = dataclasses.field(default_factory=lambda: {"quick": {}})  # name -> parameters
    catalog: tuple[str, ...] = ()                # catalog files it reads (analyses/catalog/<name>.yaml)
    data: tuple[str, ...] = ()                   # other input files, relative to the repository root
    packages: tuple[str, ...] = ()               # package versions to hash beyond HASHED_PACKAGES
    seed: int = 0
