# Compiled layout of a bound rule (read by Cython only: the .py file beside this one is the
# whole behaviour).  A per-candidate run makes one per rule and candidate; as a C structure
# its fields are stored directly instead of through slot descriptors.  It cannot be subclassed.
cimport cython


@cython.final
cdef class BoundRule:
    cdef public object rule
    cdef public object registry_name
    cdef public object nslots
    cdef public object _named
    cdef public object force_match
    cdef public object asn_rule
    cdef public object parts
    cdef public object template
    cdef public object _global
    cdef public object _tree
    cdef public object _acid_leaf
    cdef public object _candidates
    cdef public object _step
    cdef public object row_reads
    cdef public object after_science
    cdef public Py_ssize_t candidate_slot
    cdef public object first_reads
    cdef public list first_stats
    cdef public dict first_rows

    # (a rule's named nodes: asked for every member made, and by names and tests)
    cpdef named(self, name)
    @cython.locals(found=dict)
    cpdef list all_named(self, name)
