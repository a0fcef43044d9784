# Compiled layout of the association index (read by Cython only: the .py file beside this one
# is the whole behaviour).  Its tables are typed dicts, so the look-ups made for every row
# offered to every rule are C calls instead of method look-ups, and the associations it files
# are read as C structures (association.pxd), as are the bound rules (registry.pxd) and the
# parts of a rule the index relies on; it cannot be subclassed.
cimport cython
from asngen.association cimport AssociationBase
from asngen.registry cimport BoundRule


@cython.final
cdef class Part:
    cdef public object gate
    cdef public list guards
    cdef public list optional
    cdef public object lookup


@cython.final
cdef class AssociationIndex:
    cdef public dict tables
    cdef public dict unindexed
    cdef public dict all_by_rule
    cdef public dict by_filename
    cdef public dict bucket_of
    cdef public dict unsettled
    cdef public dict lookups
    cdef public dict looked_up
    cdef public dict _steps
    cdef public dict _lookup_slots
    cdef public bint filtering
    cdef public dict by_step_key
    cdef public dict unfiltered
    cdef public dict filter_gates
    cdef public dict first_buckets
    cdef public Py_ssize_t filter_version
    cdef public Py_ssize_t last_version
    cdef public list last_keys
    cdef public dict last_rules

    cpdef tuple steps(self, BoundRule bound)
    @cython.locals(taken=tuple, bucket=list)
    cpdef add(self, AssociationBase asn)
    @cython.locals(known=tuple, waiting=list)
    cpdef list _first_bucket(self, AssociationBase asn, tuple taken)
    cpdef refresh(self, AssociationBase asn)
    @cython.locals(bound=BoundRule, slots=tuple, number=cython.Py_ssize_t, slot=cython.Py_ssize_t)
    cpdef _file_lookups(self, AssociationBase asn)
    @cython.locals(literal=str, source=str, sources=list, key=list, slots=tuple,
                   position=cython.Py_ssize_t, waiting=list)
    cpdef _step_key(self, AssociationBase asn, tuple step)
    @cython.locals(bound=BoundRule, steps=tuple, parts=list, tables=dict, node=dict, child=dict, bucket=list,
                   last=cython.Py_ssize_t, position=cython.Py_ssize_t)
    cpdef _bucket_for(self, AssociationBase asn)
    cpdef close(self, AssociationBase asn)
    @cython.locals(table=dict, asn=AssociationBase)
    cpdef _collect_lookup(self, dict item, BoundRule bound, Py_ssize_t number, dict found, closed_too)
    cpdef note_member(self, AssociationBase asn, filename)

    @cython.locals(admitted=dict, tables=dict, root=dict, level=dict, steps=tuple, layout=tuple, nodes=list,
                   parts=list, part=Part, step=tuple, number=cython.Py_ssize_t, position=cython.Py_ssize_t,
                   applied=list, closed_too=bint)
    cpdef candidates(self, dict item, BoundRule bound, dict found, dict memo, list trail=*)
    @cython.locals(tables=dict, unindexed=list, token=list, position=cython.Py_ssize_t, level=dict)
    cpdef seal_trail(self, BoundRule bound, list trail)
    @cython.locals(tables=dict, unindexed=list, position=cython.Py_ssize_t)
    cpdef bint trail_holds(self, BoundRule bound, tuple token)
    @cython.locals(number=cython.Py_ssize_t, parts=list, bounds=dict)
    cpdef _note(self, BoundRule bound, Py_ssize_t position, sources, key)
    @cython.locals(position=cython.Py_ssize_t, tables=dict, nodes=list)
    cpdef _start_filtering(self)
    @cython.locals(found=dict, table=dict, bounds=dict, noted=tuple, keys=list, position=cython.Py_ssize_t)
    cpdef rules_for(self, dict item, dict memo)


@cython.locals(known=dict, key=list)
cpdef _row_key(dict item, tuple sources)
@cython.locals(names=tuple, values=list, last=list, position=cython.Py_ssize_t)
cpdef _columns_key(dict item, KeyColumns columns)
cpdef _memo_key(dict item, KeyColumns columns, dict memo)
@cython.locals(part=str)
cpdef value_key(list parts)
cpdef _one_value_key(str part)


@cython.final
cdef class KeyColumns:
    cdef readonly tuple names
    cdef public list last_values
    cdef public object last_key


cdef dict _KEY_COLUMNS
cdef dict _ONE_COLUMN
@cython.locals(found=KeyColumns)
cpdef KeyColumns key_columns(tuple names)


@cython.locals(applied=list, part=Part, number=cython.Py_ssize_t)
cpdef list _applied(list parts, dict item, dict memo)
@cython.locals(number=cython.Py_ssize_t, position=cython.Py_ssize_t)
cpdef Py_ssize_t _filter_position(tuple steps, tuple layout)
cpdef bint _safe_gate(gate, item)


# markers every look-up compares keys with: C globals, not looked up in the module's namespace
cdef object _UNSET, _OPEN, _WILD, _ADMITTED
cdef list _TOP_ONLY


@cython.locals(text=str)
cpdef bint plain(value)
