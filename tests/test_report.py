"""asngen report: the page's content, and the page as a real browser shows it.

The browser test runs headless Chromium (Debian's ``chromium`` package) on the
report of a small pool, reads the DOM after the page's script ran, and saves
a screenshot (into $ASNGEN_SCREENSHOTS when set, else the test's temporary
folder).  Where no Chromium can be had it is skipped with a message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from asngen.cli.main import main
from asngen.explain import explain
from asngen.report import render

from .test_explain import name_of, pool_row, write_pool

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)


@pytest.fixture
def report_pool(tmp_path: Path) -> Path:
    """Observation 1: two F200W images, one F150W image, a dark; observation 2: one image."""
    return write_pool(tmp_path / "report_pool.csv", [
        pool_row(1), pool_row(2), pool_row(3, filter="f150w"), pool_row(4, exp_type="nrc_dark"),
        pool_row(1, obs=2),
    ])


def test_page_holds_counts_cards_picture_and_orphans(report_pool: Path) -> None:
    model = explain(report_pool)
    page = render(model)
    assert '<b id="n-rows">5</b>' in page
    assert f'<b id="n-associations">{len(model.result.associations)}</b>' in page
    assert '<b id="n-orphans">1</b>' in page
    for asn in model.result.associations:
        assert f'id="asn-{asn.asn_name()}"' in page
    assert page.count('<article class="card ') == len(model.result.associations)
    assert "<svg" in page and ">99001/1 (4)</text>" in page and ">99001/2 (1)</text>" in page
    assert "observation 99001/1: 1 of 4 exposures in no association" in page
    assert name_of(4) in page and "no rule takes exposures of exp_type &#x27;nrc_dark&#x27;" in page
    # self-contained: nothing is loaded from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page


def test_cli_report_writes_one_file(report_pool: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "page.html"
    assert main(["report", str(report_pool), "-o", str(target), "--title", "Test pool"]) == 0
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert "<title>Test pool</title>" in target.read_text()
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_cli_report_bad_pool_is_one_line(tmp_path: Path, capsys) -> None:
    target = tmp_path / "page.html"
    assert main(["report", str(tmp_path / "missing.csv"), "-o", str(target)]) != 0
    assert capsys.readouterr().err.count("\n") == 1
    assert not target.exists()


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _chromium()
    if found is None and os.environ.get("CI") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True,
                       timeout=1200, check=False)
        found = _chromium()
    if found is None:
        pytest.skip("no Chromium: install Debian's chromium package to run the browser test")
    return found


def _browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=False,
    )


def test_report_in_a_real_browser(chromium: str, report_pool: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(report_pool), "-o", str(page), "--version-id", "t"]) == 0
    model = explain(report_pool)
    n_asn = len(model.result.associations)

    shown = _browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    dom = shown.stdout
    assert "</html>" in dom, shown.stderr[-2000:]
    assert re.search(r'id="n-rows">\s*5\s*<', dom)
    assert re.search(rf'id="n-associations">\s*{n_asn}\s*<', dom)
    assert re.search(r'id="n-orphans">\s*1\s*<', dom)
    card = re.search(r'<article[^>]*id="asn-jw99001-o001_t_image3_00002_asn".*?</article>', dom, re.S)
    assert card, "the F200W image3 card is missing"
    card_text = card.group(0)
    assert "2 members" in card_text and "Asn_Lv3Image" in card_text
    for number in (1, 2):
        assert name_of(number).replace("_uncal.fits", "_cal.fits") in card_text
    assert name_of(3).replace("_uncal.fits", "_cal.fits") not in card_text

    # the filter box, driven by the address: only the matching cards stay visible
    filtered = _browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri() + "#q=f150w").stdout
    assert re.search(r'id="n-shown">\d+ shown<', filtered)
    f150w = re.search(r'<article class="card t-image3( hidden)?"[^>]*id="asn-jw99001-o001_t_image3_00001_asn"',
                      filtered)
    f200w = re.search(r'<article class="card t-image3( hidden)?"[^>]*id="asn-jw99001-o001_t_image3_00002_asn"',
                      filtered)
    assert f150w and not f150w.group(1)
    assert f200w and f200w.group(1)

    folder = Path(os.environ.get("ASNGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    picture = folder / "report.png"
    taken = _browse(chromium, tmp_path / "profile", f"--screenshot={picture}", "--window-size=1280,2000",
                    "--hide-scrollbars", page.as_uri())
    assert picture.is_file(), taken.stderr[-2000:]
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
