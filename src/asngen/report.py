"""One static HTML page about a pool's associations: ``asngen report``.

The page needs nothing but a browser: styles, a few lines of script (a
filter box) and the picture (SVG) are inline, and nothing is fetched.  It
holds a summary (rows, associations by type, orphans), a matrix of which
observations' exposures went into which types of association, one card per
association with its members, and the orphans with the reason each is in no
association.

Everything that matters is plain text in the page, so it can be searched,
copied and tested.  To stay usable for pools of 10,000 rows and more, the
picture is aggregated per observation (one line each, not one per exposure)
and member lists are folded (``<details>``) until opened.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from pathlib import Path

CELL, LABEL_WIDTH, HEADER_HEIGHT = 18, 150, 90

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2a44;color:#fff;padding:14px 24px;position:sticky;top:0;z-index:1}
header h1{margin:0;font-size:20px;display:inline-block;margin-right:24px}nav a{color:#cfe0ff;margin-right:14px}
.scroll{max-height:75vh;overflow:auto;border:1px solid #dde;background:#fff;display:inline-block}
main{padding:16px 24px}section{margin-bottom:28px}h2{font-size:17px;border-bottom:1px solid #ccd;padding-bottom:4px}
.counts{display:flex;gap:14px;flex-wrap:wrap}.count{background:#fff;border:1px solid #d5d9e0;border-radius:6px;
padding:8px 16px;min-width:110px}.count b{display:block;font-size:24px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dde;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#eef0f4}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:10px}
.card{background:#fff;border:1px solid #d5d9e0;border-left:5px solid var(--c,#888);border-radius:6px;padding:8px 12px}
.card h3{font-size:14px;margin:0 0 4px;word-break:break-all}.card p{margin:2px 0;color:#445}
.card table{margin-top:4px;font-size:12px;width:100%}summary{cursor:pointer;color:#246}
#filter{font-size:14px;padding:6px 10px;width:340px;margin:4px 0 10px}.hidden{display:none}
.reason{max-width:760px}svg text{font:11px system-ui,sans-serif}.legend span{display:inline-block;
margin-right:12px}.swatch{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:middle}
"""

_SCRIPT = """
const box=document.getElementById('filter');
const items=[...document.querySelectorAll('.card,#orphan-table tr.orphan')].map(el=>[el,el.textContent.toLowerCase()]);
function apply(){const q=box.value.trim().toLowerCase();let shown=0;
for(const [el,text] of items){const hide=q!==''&&!text.includes(q);
el.classList.toggle('hidden',hide);if(!hide)shown++;}
document.getElementById('n-shown').textContent=q===''?'':shown+' shown';}
box.addEventListener('input',apply);
if(location.hash.startsWith('#q=')){box.value=decodeURIComponent(location.hash.slice(3));apply();}
"""

_PALETTE = ("#3b6fb6", "#d9822b", "#4c9a5b", "#b84a62", "#7a5bb3", "#2c9c9c", "#a0812a", "#6b7686",
            "#c35fa8", "#5a8f29", "#d1495b", "#00798c")


def observation_of(row: dict) -> str:
    """The observation a row belongs to, as ``program/obs`` (numbers without leading zeros)."""
    program = str(row.get("program", "?")).lstrip("0") or "0"
    obs = str(row.get("obs_num", "?")).lstrip("0") or "0"
    return f"{program}/{obs}"


def _sort_key(label: str) -> tuple:
    parts = label.split("/")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def render(model, title: str | None = None) -> str:
    """The report page of an :class:`asngen.explain.Explanation`, as HTML text."""
    result = model.result
    types = Counter(asn.data["asn_type"] for asn in result.associations)
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(sorted(types))}
    orphans = model.orphans()
    title = title or f"Associations of {result.pool_name}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<style>{_STYLE}{_type_styles(colours)}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><nav><a href=\"#summary\">summary</a><a href=\"#picture\">picture</a>"
        "<a href=\"#associations\">associations</a><a href=\"#orphans\">orphans</a></nav></header><main>",
        _summary(result, types, len(result.orphans), colours),
        _matrix(model, types, colours),
        '<input id="filter" type="search" placeholder="Filter associations and orphans by any text"'
        ' aria-label="filter"> <span id="n-shown"></span>',
        _cards(result, colours),
        _orphans(orphans, Counter(row.get("filename") for row in result.orphans)),
        f"</main><script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _type_styles(colours: dict) -> str:
    return "".join(f".{_type_class(name)}{{--c:{colour}}}" for name, colour in colours.items())


def _summary(result, types: Counter, n_orphans: int, colours: dict) -> str:
    rows = [f'<tr data-type="{escape(name)}"><td><span class="swatch" style="background:{colours[name]}">'
            f'</span>{escape(name)}</td><td class="n">{count}</td></tr>'
            for name, count in sorted(types.items())]
    warnings = "".join(f"<p>warning: {escape(w)}</p>" for w in result.warnings)
    return (
        '<section id="summary"><h2>Summary</h2><div class="counts">'
        f'<div class="count">rows<b id="n-rows">{result.rows}</b></div>'
        f'<div class="count">associations<b id="n-associations">{len(result.associations)}</b></div>'
        f'<div class="count">rows in no association<b id="n-orphans">{n_orphans}</b></div>'
        f'<div class="count">types<b id="n-types">{len(types)}</b></div></div>'
        '<h3>Associations by type</h3><table id="by-type"><tr><th>type</th><th>associations</th></tr>'
        + "".join(rows) + f"</table>{warnings}</section>"
    )


def _matrix(model, types: Counter, colours: dict) -> str:
    """Observations down, association types across: how many of each observation's exposures
    are in an association of that type; the last column counts the orphans."""
    rows_per_obs: Counter = Counter()
    for row in model.pool.rows:
        rows_per_obs[observation_of(row)] += 1
    counts: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for filename, entries in model.written.items():
        row = model.rows_by_filename.get(filename)
        if row is None:
            continue
        for _name, _kind, asn in entries:
            counts[observation_of(row)][asn.data["asn_type"]].add(filename)
    orphans_per_obs: Counter = Counter()
    for filename in model.orphan_names:
        row = model.rows_by_filename.get(filename)
        if row is not None:
            orphans_per_obs[observation_of(row)] += 1
    columns = sorted(types) + ["orphans"]
    observations = sorted(rows_per_obs, key=_sort_key)
    width = LABEL_WIDTH + CELL * len(columns) + 20
    height = HEADER_HEIGHT + CELL * len(observations) + 10
    out = ['<section id="picture"><h2>Exposures by observation and association type</h2>',
           '<p>One line per observation (program/observation, number of pool rows). A cell shows how many '
           'of the observation\'s exposures are in at least one association of the type; the darker, the '
           'larger the share. Hover a cell for the numbers.</p>',
           f'<div class="scroll"><svg id="matrix" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="exposures by observation and type">']
    for i, name in enumerate(columns):
        x = LABEL_WIDTH + CELL * i + CELL // 2
        out.append(f'<text transform="translate({x},{HEADER_HEIGHT - 6}) rotate(-60)">{escape(name)}</text>')
    for j, obs in enumerate(observations):
        y = HEADER_HEIGHT + CELL * j
        total = rows_per_obs[obs]
        out.append(f'<text x="4" y="{y + 13}">{escape(obs)} ({total})</text>')
        for i, name in enumerate(columns):
            n = orphans_per_obs[obs] if name == "orphans" else len(counts[obs][name])
            if not n:
                continue
            colour = "#c0392b" if name == "orphans" else colours[name]
            share = n / total if total else 0
            x = LABEL_WIDTH + CELL * i
            label = f"observation {obs}: {n} of {total} exposures" + (
                " in no association" if name == "orphans" else f" in {name} associations")
            out.append(f'<g><title>{escape(label)}</title><rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" '
                       f'height="{CELL - 2}" fill="{colour}" fill-opacity="{0.25 + 0.75 * share:.2f}"/>'
                       f'<text x="{x + CELL // 2}" y="{y + 13}" text-anchor="middle" fill="#fff">{n}</text></g>')
    out.append("</svg></div></section>")
    return "".join(out)


def _cards(result, colours: dict) -> str:
    out = ['<section id="associations"><h2>Associations</h2><div class="cards">']
    for asn in result.associations:
        name = asn.asn_name()
        data = asn.data
        kinds = Counter(m["exptype"] for p in data["products"] for m in p["members"])
        members = "".join(
            f"<tr><td>{escape(m['expname'])}</td><td>{escape(m['exptype'])}</td></tr>"
            for p in data["products"] for m in p["members"]
        )
        products = ", ".join(escape(p["name"]) for p in data["products"])
        summary = ", ".join(f"{n} {escape(kind)}" for kind, n in kinds.most_common())
        total = sum(kinds.values())
        out.append(
            f'<article class="card {_type_class(data["asn_type"])}" id="asn-{escape(name)}">'
            f"<h3>{escape(name)}</h3>"
            f'<p>{escape(data["asn_type"])} · {escape(data["asn_rule"])} · candidate {escape(data["asn_id"])}</p>'
            f"<p>product {products}</p>"
            f'<details><summary><span class="members">{total} member{"s" if total != 1 else ""}</span>: '
            f"{summary}</summary>"
            f"<table><tr><th>member</th><th>type</th></tr>{members}</table></details></article>"
        )
    out.append("</div></section>")
    return "".join(out)


def _orphans(orphans, rows: Counter) -> str:
    out = ['<section id="orphans"><h2>Exposures in no association</h2>']
    if not orphans:
        out.append("<p>Every exposure is in at least one association.</p></section>")
        return "".join(out)
    out.append('<table id="orphan-table"><tr><th>exposure</th><th>exp_type</th><th>observation</th>'
               "<th>why it is in no association</th></tr>")
    for entry in orphans:
        row = entry.row
        out.append(
            f'<tr class="orphan"><td>{escape(entry.filename)}{_times(rows[entry.filename])}</td>'
            f"<td>{escape(str(row.get('exp_type', '')))}</td><td>{escape(observation_of(row))}</td>"
            f'<td class="reason">{escape(entry.reason or "")}</td></tr>'
        )
    out.append("</table></section>")
    return "".join(out)


def _type_class(asn_type: str) -> str:
    return "t-" + "".join(c if c.isalnum() else "_" for c in asn_type)


def _times(count: int) -> str:
    return f" ({count} rows)" if count > 1 else ""


def write_report(model, path: str | Path, title: str | None = None) -> Path:
    """Write the page to ``path`` whole or not at all."""
    from .output import write_files_atomically

    target = Path(path)
    (written,) = write_files_atomically(target.parent if str(target.parent) else ".",
                                        [(target.name, render(model, title))])
    return written
