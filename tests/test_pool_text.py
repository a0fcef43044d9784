"""Pools as text cells (benchmarks/pool_text.py), which the differential tools write."""

from __future__ import annotations

from pathlib import Path

from tests.pools import benchmark_module

SOURCE = Path(__file__).resolve().parents[1] / "examples" / "example_pool.csv"
PoolText = benchmark_module("pool_text").PoolText


def test_a_fits_pool_is_read_as_the_text_table_the_reference_would_be_given(tmp_path):
    """(``diff_reference.py`` gives the reference, which cannot read FITS pools, this text)"""
    from astropy.table import Table

    from asngen.pool import read_pool

    source = PoolText.read(SOURCE)
    table = Table(rows=source.rows, names=source.header)
    fits = tmp_path / "pool.fits"
    table.write(fits)
    text = PoolText.read_format(fits, "fits")
    assert text.header == source.header and text.rows == source.rows
    written = tmp_path / "pool.csv"
    text.write(written)
    assert PoolText.read_format(written, "ascii").rows == source.rows
    as_text, as_fits = read_pool(written), read_pool(fits, fmt="fits")
    assert list(as_text.iter_rows()) == list(as_fits.iter_rows())
