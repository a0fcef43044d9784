# Compiled layout of the work queue (read by Cython only: the .py file beside this one is the
# whole behaviour).  The requests it merges are read as C structures (constraints.pxd), and the
# generator loop calls it as C functions.  It cannot be subclassed.
cimport cython
from asngen.engine.constraints cimport Reprocess


@cython.final
cdef class WorkQueue:
    cdef list _queues

    @cython.locals(queue=dict, waiting=Reprocess)
    cpdef push(self, Reprocess request)
    @cython.locals(queue=dict)
    cpdef pop(self)


cpdef keep_after(Reprocess request, current)
