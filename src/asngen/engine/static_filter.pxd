# Compiled types for the row-only filter (read by Cython only: the .py file beside this one is
# the whole behaviour).  Every row's profile, and so a new profile's hundred outcomes, is read
# with the row and the caches typed: each read is a C call instead of a method look-up.
cimport cython
from asngen.engine.patterns cimport meets
from asngen.engine.fresh cimport fresh_verdict, row_test_outcome, test_identity
from asngen.records cimport _code


@cython.locals(profile=list, entry=tuple)
cpdef tuple _profile(tuple raw, tuple patterns, tuple presence, dict item)


@cython.locals(outcomes=dict)
cpdef _pattern_reading(value, tuple column)
cpdef bint _presence_reading(value, given)


cpdef _pattern_outcomes(value, tuple patterns)


cdef object _NO_VALUE  # (a C global: read for each presence column of every profile)


@cython.locals(at=cython.Py_ssize_t, position=cython.Py_ssize_t, column=cython.Py_ssize_t,
               width=cython.Py_ssize_t, code=cython.Py_ssize_t, table=list, canonical=cython.Py_ssize_t)
cpdef str _coded_key(bytes codes, tuple raw, tuple offsets, tuple widths, tuple tables, tuple readings,
                     bytearray key)


# A filter is asked about every row of every pass: a C structure whose fields its methods read
# directly (a row's key, its verdict and positions are then C dict look-ups, not attribute
# reads and methods found on dicts).
@cython.final
cdef class StaticFilter:
    cdef public object rules
    cdef public tuple raw
    cdef public tuple patterns
    cdef public tuple presence
    cdef public dict memo
    cdef public object readers
    cdef public list memos
    cdef public dict by_reading
    cdef public tuple templates
    cdef public dict positions
    cdef public object layout
    cdef public dict by_codes
    cdef public tuple coded
    cdef public tuple candidate

    cpdef tuple _share(self, tuple own, universe)
    cpdef tuple starting(self, item, tuple record=*)
    @cython.locals(coded=tuple, candidate=tuple, by_codes=dict, key=object, verdict=frozenset)
    cpdef frozenset passing(self, item, tuple record=*)
    cpdef _learn_layout(self, layout)
    @cython.locals(verdict=frozenset)
    cpdef frozenset _verdict(self, item)
