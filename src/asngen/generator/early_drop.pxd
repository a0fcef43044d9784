# Compiled layout of what a run lets go of early (read by Cython only: the .py file beside this
# one is the whole behaviour).  Every association a pass ends with is asked about: with the
# association read as a C structure (association.pxd), its level, rule and validity are C
# reads instead of attribute look-ups.
cimport cython
from asngen.association cimport AssociationBase


@cython.final
cdef class Doomed:
    cdef public frozenset levels
    cdef public bint discover
    cdef public bint discovered_are_a3001
    cdef public dict dropping
    cdef public frozenset failing

    @cython.locals(known=tuple)
    cpdef object before_naming(self, AssociationBase asn)
    cpdef bint once_named(self, AssociationBase asn)
