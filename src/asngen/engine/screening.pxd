# Compiled types for screening (read by Cython only: the .py file beside this one is the whole
# behaviour).  The associations it reads are C structures (association.pxd): their states are
# a field, not an attribute looked up; the check's helpers are C calls.
cimport cython
from asngen.association cimport AssociationBase
from asngen.engine.check cimport _lowered, _text
from asngen.engine.patterns cimport evaluate_literal, is_listlike


@cython.locals(asn=AssociationBase, st=object, keys=object)
cpdef screened(dict item, Py_ssize_t slot, dict offered, dict found, dict memo)
cdef object _CANDIDATE_KEYS, _UNSET
cpdef alternative_keys(dict item, str column)
