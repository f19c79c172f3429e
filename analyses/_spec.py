"""What an analysis declares about itself. Kept free of local imports: it is part of
every analysis's input hash, and only what can change results belongs there."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class External:
    """A file or program from outside the repository that an analysis reads: its content (a file's
    sha256 and size) or its version (a program's ``--version``) is part of the input hash."""
    path: str     # an absolute file path, or the name of a program on PATH
    debian: str   # the Debian package that installs it (named in the error when it is missing)

    @property
    def is_program(self) -> bool:
        return "/" not in self.path


@dataclasses.dataclass(frozen=True)
class Spec:
    title: str
    tests: tuple[str, ...]                       # ids from analyses.arguments.ARGUMENTS
    page: str                                    # the docs page that presents it, e.g. "evidence/exposure.md"
    # A TypedDict naming every parameter and its type; each profile (name -> parameters) is checked
    # against it before anything runs, so a typo in a profile fails at once.
    params: type | None = None
    profiles: dict = dataclasses.field(default_factory=lambda: {"quick": {}})
    # Parameter values that shrink any profile to seconds, for tests only (--shrink); results made
    # with them are never fresh, so they cannot be committed by mistake.
    test_overrides: dict = dataclasses.field(default_factory=dict)
    catalog: tuple[str, ...] = ()                # catalog files whose rows it may read (ctx.row, ctx.rows)
    data: tuple[str, ...] = ()                   # repository files it reads (ctx.data), relative to the root
    external: tuple[External, ...] = ()          # files and programs from outside (ctx.data, ctx.program)
    packages: tuple[str, ...] = ()               # package versions to hash beyond HASHED_PACKAGES
    seed: int = 0
