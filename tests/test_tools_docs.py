"""Every companion command has --help text and a section in docs/tools.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from asngen.cli.main import main

COMMANDS = ["from-list", "make-pool", "gather", "edit", "validate", "diff"]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "tools.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: asngen {command}")
    assert len(out.splitlines()) > 10  # a description, not just the option list


@pytest.mark.parametrize("command", COMMANDS)
def test_documented(command):
    assert f"## `asngen {command} " in DOCS.read_text(encoding="utf-8")
