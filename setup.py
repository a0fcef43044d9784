"""Build step: compile the generator's hot modules with Cython, when it can.

Everything else about the package is declared in ``pyproject.toml``.  The
modules listed in ``asngen._native.COMPILED`` are translated from their
unchanged Python source (a ``.pxd`` file beside a module, where there is one,
gives the compiler its C layout); a machine without Cython or a C compiler, or with
``ASNGEN_PURE_PYTHON`` set, gets the same package as plain Python (each
extension is optional: a failed compile is a warning, not a failed install).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "src"


def compiled_modules() -> list[str]:
    """``COMPILED`` read from ``_native.py`` as a literal (the package is not importable yet)."""
    tree = ast.parse((SOURCE / "asngen" / "_native.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise RuntimeError("asngen/_native.py defines no COMPILED list")


def extensions() -> list[Extension]:
    if os.environ.get("ASNGEN_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("asngen: Cython is not available, installing pure Python")
        return []
    modules = [
        Extension(name, [str(Path("src", *name.split(".")).with_suffix(".py"))])
        for name in compiled_modules()
    ]
    try:
        translated = cythonize(
            modules,
            build_dir="build/cython",
            nthreads=os.cpu_count() or 1,
            quiet=True,
            compiler_directives={
                "language_level": 3,
                # annotations are documentation here, not C types: a list passed where a hint
                # says tuple must behave as it does in Python
                "annotation_typing": False,
            },
        )
    except Exception as err:  # noqa: BLE001 - any failure to translate means a pure install
        print(f"asngen: Cython could not translate the modules ({err}), installing pure Python")
        return []
    for extension in translated:
        extension.optional = True  # cythonize() does not carry this over
    return translated


setup(
    ext_modules=extensions(),
    # the C files are large: compile them side by side
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
