# Compiled types for the generator loop (read by Cython only: the .py file beside this one is
# the whole behaviour).  With the index and the associations typed, looking up the associations
# a row may join is a C call per rule instead of a method look-up and a Python call, and an
# association's fields are read directly.
cimport cython
from asngen.association cimport AssociationBase
from asngen.engine.constraints cimport Reprocess
from asngen.engine.index cimport AssociationIndex
from asngen.engine.screening cimport screened
from asngen.registry cimport BoundRule
from asngen.engine.queue cimport WorkQueue
from asngen.engine.static_filter cimport StaticFilter


@cython.locals(associations=list, index=AssociationIndex, records=dict, asn=AssociationBase,
               existing=list, created=list, reprocess=list, held=list, offered=bint, starting=bint,
               skip_held=bint, memo=dict, pinned=tuple, queue=WorkQueue, work=Reprocess,
               request=Reprocess, kept=Reprocess, requeuing=set, trails=dict, sealed=dict,
               statics=StaticFilter, ended=BoundRule)
cpdef list generate(items, registry, version_id, pool_name, run, bint settle=*)


cdef _filename_of(dict row)
@cython.locals(copy=dict)
cpdef list _shelved_copies(list copies, shelf)


@cython.locals(asn=AssociationBase, members=list)
cpdef _keep_record(list joined, dict item, record)


@cython.locals(found=dict, memo=dict, active=dict, trail=list, into=dict, slot=cython.Py_ssize_t,
               bound=BoundRule)
cpdef list _candidates(AssociationIndex index, dict item, allowed_set, joined_by=*, dict memo=*,
                        dict trails=*, set trailed=*, bint screening=*)


@cython.locals(asn=AssociationBase)
cpdef tuple _sealed(AssociationIndex index, bound, list trail, list candidates, filename)
@cython.locals(parts=list)
cpdef _revisit_of(shelf, dict sealed)
@cython.locals(position=cython.Py_ssize_t)
cpdef _token_of(revisit, bound)
