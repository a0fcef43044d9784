# Compiled layout of the evaluator (read by Cython only: the .py file beside this one is the
# whole behaviour).  A check is a C structure whose evaluation methods call each other directly
# instead of through attribute look-ups; it cannot be subclassed.  The rows it checks are dicts
# (pool rows and their copies), so reading a cell is a C call, not a method look-up.
cimport cython
from asngen.engine.constraints cimport AttrSpec, Reprocess
from asngen.engine.patterns cimport escape, evaluate_literal, is_listlike, meets


@cython.final
cdef class Check:
    cdef public object asn
    cdef public object states
    cdef public object journal
    cdef public object trace

    @cython.locals(st=list, journal=dict)
    cpdef list state(self, Py_ssize_t slot, tuple initial)
    cpdef tuple run(self, node, dict item)
    cpdef tuple run_step(self, tuple step, dict item)
    @cython.locals(journal=dict)
    cdef void _keep(self, Py_ssize_t slot, list st) except *
    cpdef tuple _refuse(self, leaf, item, st, str why, got=*)
    @cython.locals(st=list, journal=dict, escapes=dict, slot=cython.Py_ssize_t, new_value=bint)
    cpdef tuple _attr(self, AttrSpec spec, dict item)
    @cython.locals(st=list)
    cpdef tuple _test(self, tuple spec, dict item)
    cpdef tuple _child(self, int code, node, dict item)
    cpdef tuple _group(self, tuple plan, dict item)
    cpdef tuple _all(self, tuple steps, dict item)
    cpdef tuple _any(self, tuple steps, dict item)


# Helpers a check calls for most column tests: called from this module they are C calls,
# not Python calls through the module's namespace (they stay importable as functions);
# the pattern helpers (patterns.pxd) are C calls from here too.
cpdef tuple _step(node)
cpdef tuple step_of(node)
cpdef Reprocess _forced_request(AttrSpec spec, item)
@cython.locals(cache=dict)
cpdef _one_source(column)
@cython.locals(cache=dict)
cpdef _literal(value)
@cython.locals(cache=dict)
cpdef _compared(str value)
cpdef _lowered(str value)
@cython.locals(lines=list, known=dict, slot=cython.Py_ssize_t, st=object, remembered=bint)
cpdef list describe(node, states)
cdef dict _NAMED_LEAVES
@cython.locals(found=tuple, named=list)
cpdef tuple _named_leaves(node)


# the markers and shared results every check returns or compares with: C globals, not
# looked up in the module's namespace at each use (a column test made four such look-ups)
cdef object _MISSING, _NOTHING
cdef tuple _NO_REQUESTS, _ACCEPTED, _REFUSED


@cython.locals(texts=dict)
cpdef str _text(value)
cdef bint _all_text(tuple parts)
@cython.locals(st=list, saved=tuple)
cpdef bint changed_nothing(list states, dict journal)
@cython.locals(found=tuple)
cpdef list thawed(tuple settled)
cpdef tuple settled(list live)
@cython.locals(escapes=dict)
cdef bint _accepts_again(state, dict item) except -1
