"""The matching engine: constraints, work queue and the generation loop.

Nothing here knows about telescopes; the DMS knowledge lives in
``asngen.rules``.  The engine only knows how to test a pool row against a
tree of constraints, remember what an association has pinned, and schedule
rows for another pass.
"""
