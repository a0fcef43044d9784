# Compiled layout of an association (read by Cython only: the .py file beside this one is the
# whole behaviour).  Its fields are stored in a C structure, so its own methods read and
# write them directly instead of through slot descriptors.  No ``__dict__`` here (Cython
# would make one with every instance): the Python subclass ``Association`` has one, made
# when rule code first adds an attribute of its own.  Its rule, data, products and validity
# flags are always a bound rule, dicts and a list.
cimport cython
from asngen.registry cimport BoundRule
from asngen.engine.check cimport Check, changed_nothing, settled, step_of
from asngen.member cimport expname_of, exptype_of, member_name, member_of
from asngen.rules.dms cimport column, uses_integrations
from asngen.engine.constraints cimport Reprocess


cdef class AssociationBase:
    cdef public BoundRule bound
    cdef public object pool_name
    cdef public object rule
    cdef public object level
    cdef public object states
    cdef public object version_id
    cdef public Py_ssize_t serial  # a C integer: past 256 an int object is 28 more bytes per association
    cdef public object started
    cdef public object filenames
    cdef public object member_keys
    cdef public dict validity
    cdef public object original_exposure_type
    cdef public object sequence
    cdef public object name_override
    cdef public object frozen
    cdef public object index
    cdef public object closed
    cdef public dict data
    cdef public list products
    cdef public object unchanged_by
    cdef public object first_states

    # its own methods, called from compiled code as C functions (a Python subclass may still
    # override them: the call then finds the override)
    cpdef node(self, str name)
    cpdef state_of(self, node)
    cpdef pinned_tso(self)
    @cython.locals(cache=dict)
    cpdef tuple acid(self)
    cpdef exposure_type(self, item)
    cpdef use_integrations(self, item)
    @cython.locals(check=Check, request=Reprocess, bound=BoundRule, step=tuple, repeated=tuple, known=tuple,
                   cells=tuple)
    cpdef tuple add(self, item, trace=*, fresh=*)
    cpdef start(self, item)
    cpdef tuple make_member(self, item)
    @cython.locals(keys=set, filenames=set)
    cpdef append(self, item, journal)
    cpdef _update_validity(self, member)
    cpdef _freeze_before(self, journal)
    cpdef tuple _level3_identity(self)
    cpdef seal(self)
    @cython.locals(recent=dict, states=list, same=bint, position=Py_ssize_t, first=tuple, known=tuple)
    cpdef settle(self, dict shared, keep_files=*, dict taken=*)
    cdef _settle_the_rest(self, dict shared, keep_files)
    cpdef bint is_valid(self)
    @cython.locals(known=dict)
    cpdef describe_constraints(self, dict texts=*, dict described=*)


@cython.locals(position=Py_ssize_t)
cdef bint _same_objects(left, right)
cdef bint _same_state(live, tuple settled)
cdef object _ABSENT_CELL
@cython.locals(asked=list, cells=list, request=Reprocess)
cpdef _unchanged_by(dict item, tuple reads, dict journal, list states, reprocess)
@cython.locals(position=Py_ssize_t, name=str)
cpdef bint _agrees(dict item, tuple reads, tuple cells)
@cython.locals(requests=list)
cpdef list _requests_again(dict item, tuple asked)
@cython.locals(cells=list, name=str)
cpdef tuple _text_cells(dict item, tuple reads)
cdef tuple _NOT_KEPT
@cython.locals(stats=list, memo=dict, cells=tuple, known=tuple, tries=Py_ssize_t)
cpdef tuple _first_row(BoundRule bound, dict item)
@cython.locals(asked=list, request=Reprocess, states=list)
cpdef _remember_first_row(BoundRule bound, tuple cells, bint matched, AssociationBase asn, dict item, list reprocess)


cdef tuple _DISCOVERED
cdef dict _ACIDS
cpdef tuple _acid_of(tuple found)


cpdef bint _degraded(member)
