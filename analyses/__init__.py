"""Executable analyses behind the essay.

One sub-package per analysis (``analyses/<name>/``): ``__init__.py`` declares a
:class:`~analyses._runner.Spec` named ``SPEC``; ``analysis.py`` holds the pure
compute functions and a ``run(ctx)`` that writes results. The runner
(``python -m analyses``) freezes each analysis's outputs under
``docs/results/<name>/`` keyed by a hash of everything that can change them.
"""
