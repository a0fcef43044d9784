# Compiled scan of a pool's rows (read by Cython only: the .py file beside this one is the whole
# behaviour).  Deciding which rules' finalize may stop a run reads a cell or six of every row
# of the pool: with the records' codes decoded by a C function, a million rows take a fraction
# of a second.
cimport cython
from asngen.records cimport _code


@cython.locals(seen=set, decoders=list, cells=list, codes=bytes, offset=cython.Py_ssize_t,
               width=cython.Py_ssize_t, values=list)
cpdef bint _true_of_one(test, tuple reads, records) except -1
