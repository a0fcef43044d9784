# Compiled layout of a reprocess request (read by Cython only: the .py file beside this one is
# the whole behaviour).  A row a rule matched is mostly re-queued (a target asks it to be
# offered again to the rule's later associations): a request is made, merged into the queue
# and read again for each of them, and its fields are read in C where the check, the queue
# and the generator loop know its type.  It cannot be subclassed or given other fields.
cimport cython


@cython.final
cdef class Reprocess:
    cdef public object items
    cdef public object rules
    cdef public object work_over
    cdef public object only_on_match
    cdef public object trigger
    cdef public object split

    cpdef tuple key(self)


# What a check of a column test reads (Attr.prepare): C fields, read by the check where needed.
@cython.final
cdef class AttrSpec:
    cdef public bint plain, required, force_undefined, evaluate
    cdef public object onlyif, invalid, force_reprocess, leaf
    cdef public tuple initial
    cdef public Py_ssize_t slot
