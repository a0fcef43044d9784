# Compiled types for the exposure classifiers (read by Cython only: the .py file beside this one
# is the whole behaviour).  They are asked for every member made; with their memos typed, a
# remembered answer is a C dict look-up.
cimport cython


cpdef column(item, name)


@cython.locals(memo=dict, row=dict, last=list)
cpdef classify(item, default=*)


@cython.locals(memo=dict, row=dict)
cpdef uses_integrations(item, coron, pinned_tso)
