# Compiled types of the row-only verdicts (read by Cython only: the .py file beside this one is
# the whole behaviour).
cimport cython
from asngen.engine.patterns cimport meets


# the verdicts of a fresh association, decided from the row alone: each calls the others (and
# itself, down a rule's tree) as a C function
cpdef fresh_verdict(node, item, set touched=*)
cpdef static_pass(leaf, item, pattern=*)
@cython.locals(memo=dict, values=list)
cpdef row_test_outcome(node, dict item)
@cython.locals(known=dict, found=tuple)
cpdef test_identity(node)
# a tree's plan for fresh_verdict, and its walk (C integers for the kinds of node)
cdef Py_ssize_t _UNDECIDED, _COLUMN, _COMPUTED, _ROW_TEST, _EVERY, _SOME
cdef dict _FRESH_PLANS
cpdef tuple _fresh_plan(node)
@cython.locals(kind=cython.Py_ssize_t, verdict=cython.int, result=cython.int, child=tuple)
cdef int _fresh(tuple plan, item, set touched) except? -1


cdef object _UNSET
