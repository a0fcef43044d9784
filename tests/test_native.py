"""Compiled modules: which run, when their source runs instead, and that both agree.

That compiled and source modules write the same files is checked in
``test_determinism`` (one of its environments runs the source); here are
the rules for choosing between them.  With ``ASNGEN_EXPECT_COMPILED`` set
(CI builds with a compiler), every listed module must be running compiled.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import types
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import asngen
from asngen import _native

from .test_determinism import asngen_command


def _is_extension(path: str) -> bool:
    return path.endswith(tuple(EXTENSION_SUFFIXES))


def test_the_decision_says_how_each_module_was_imported():
    for name in _native.COMPILED:
        module = importlib.import_module(name)
        how = asngen.NATIVE[name]
        assert how in ("compiled", "source", "stale")
        assert _is_extension(module.__file__) == (how == "compiled"), (name, how, module.__file__)


def test_every_module_is_compiled_where_the_build_had_a_compiler():
    if not os.environ.get("ASNGEN_EXPECT_COMPILED"):
        assert _native.describe(asngen.NATIVE)  # nothing was promised: only the summary must exist
        return
    assert asngen.NATIVE == {name: "compiled" for name in _native.COMPILED}


def test_the_environment_variable_runs_every_module_from_source():
    code = (
        "import importlib, asngen, asngen._native as n\n"
        "print(all(importlib.import_module(m).__file__.endswith('.py') for m in n.COMPILED))\n"
        "print(set(asngen.NATIVE.values()))\n"
    )
    env = {**os.environ, _native.PURE_ENV: "1"}
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert completed.stdout.split("\n")[:2] == ["True", "{'source'}"]
    version = subprocess.run([*asngen_command(), "--version"], env=env, capture_output=True, text=True, check=True)
    assert "(pure Python)" in version.stdout


def _fake_package(root: Path, compiled_age: float, source_age: float) -> Path:
    """A package folder with every listed module as source and compiled file, of given ages."""
    now = time.time()
    for name in _native.COMPILED:
        base = root.joinpath(*name.split(".")[1:])
        base.parent.mkdir(parents=True, exist_ok=True)
        source = base.with_suffix(".py")
        compiled = Path(str(base) + EXTENSION_SUFFIXES[0])
        source.write_text("")
        compiled.write_bytes(b"")
        os.utime(source, (now - source_age, now - source_age))
        os.utime(compiled, (now - compiled_age, now - compiled_age))
    return root


def test_a_compiled_file_built_after_its_source_is_used(tmp_path):
    package = _fake_package(tmp_path, compiled_age=10, source_age=100)
    decision, redirect = _native.decide(str(package), pure=False)
    assert set(decision.values()) == {"compiled"}
    assert redirect == {}


def test_files_written_moments_apart_in_either_order_count_as_one_build(tmp_path):
    package = _fake_package(tmp_path, compiled_age=10.5, source_age=10)  # source half a second newer
    decision, _ = _native.decide(str(package), pure=False)
    assert set(decision.values()) == {"compiled"}


def test_a_source_edited_after_the_build_is_run_instead(tmp_path):
    package = _fake_package(tmp_path, compiled_age=100, source_age=10)
    stale = _native.COMPILED[3]
    base = package.joinpath(*stale.split(".")[1:])
    decision, redirect = _native.decide(str(package), pure=False)
    assert set(decision.values()) == {"stale"}
    assert redirect[stale] == str(base.with_suffix(".py"))


def test_one_edited_module_sends_every_module_to_its_source(tmp_path):
    # compiled modules read each other's C layouts: an association class run from its source
    # would be read by the compiled index as the wrong structure
    package = _fake_package(tmp_path, compiled_age=10, source_age=100)
    edited = _native.COMPILED[0]
    source = package.joinpath(*edited.split(".")[1:]).with_suffix(".py")
    os.utime(source, None)
    decision, redirect = _native.decide(str(package), pure=False)
    assert decision[edited] == "stale"
    assert set(redirect) == set(_native.COMPILED)
    assert redirect[edited] == str(source)
    assert {how for name, how in decision.items() if name != edited} == {"source"}


def test_pure_mode_and_missing_compiled_files_use_the_source(tmp_path):
    package = _fake_package(tmp_path, compiled_age=10, source_age=100)
    decision, redirect = _native.decide(str(package), pure=True)
    assert set(decision.values()) == {"source"}
    assert set(redirect) == set(_native.COMPILED)
    empty = tmp_path / "empty"
    empty.mkdir()
    decision, redirect = _native.decide(str(empty), pure=False)
    assert set(decision.values()) == {"source"}
    assert redirect == {}  # nothing compiled: the normal import finds the source


def test_the_redirecting_finder_imports_the_named_source(tmp_path):
    source = tmp_path / "anything.py"
    source.write_text("VALUE = 42\n")
    finder = _native.SourceFirst({"asngen_test_fake.module": str(source)})
    assert finder.find_spec("asngen_test_fake.other") is None
    spec = finder.find_spec("asngen_test_fake.module")
    assert spec.origin == str(source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.VALUE == 42
    assert module.__file__ == str(source)


def _setup_functions() -> dict:
    """setup.py's functions, without running setup() (everything above the call)."""
    setup = Path(__file__).resolve().parents[1] / "setup.py"
    namespace: dict = {"__file__": str(setup)}
    text = setup.read_text()
    exec(compile(text[: text.index("\nsetup(")], str(setup), "exec"), namespace)  # noqa: S102
    return namespace


def _fake_cython(monkeypatch, cythonize) -> None:
    build = types.ModuleType("Cython.Build")
    build.cythonize = cythonize
    package = types.ModuleType("Cython")
    package.Build = build
    monkeypatch.setitem(sys.modules, "Cython", package)
    monkeypatch.setitem(sys.modules, "Cython.Build", build)


def test_setup_reads_the_same_list():
    assert _setup_functions()["compiled_modules"]() == list(_native.COMPILED)


def test_setup_makes_every_extension_optional_so_a_failed_compile_installs_python(monkeypatch):
    from setuptools import Extension

    def cythonize(modules, **options):  # as Cython does: new extensions, without `optional`
        assert options["compiler_directives"]["annotation_typing"] is False
        return [Extension(module.name, [module.sources[0][:-3] + ".c"]) for module in modules]

    _fake_cython(monkeypatch, cythonize)
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    extensions = _setup_functions()["extensions"]()
    assert [extension.name for extension in extensions] == list(_native.COMPILED)
    assert all(extension.optional for extension in extensions)


def test_setup_installs_python_when_cython_fails_or_is_told_to(monkeypatch):
    def cythonize(modules, **options):
        raise RuntimeError("cannot translate")

    _fake_cython(monkeypatch, cythonize)
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    assert _setup_functions()["extensions"]() == []
    monkeypatch.setenv(_native.PURE_ENV, "1")
    _fake_cython(monkeypatch, lambda modules, **options: pytest.fail("must not translate"))
    assert _setup_functions()["extensions"]() == []
