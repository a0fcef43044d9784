# Compiled types for the record readers (read by Cython only: the .py file beside this one is
# the whole behaviour).  With the codes typed as bytes and the offsets as C integers, a cell's
# code is read from the string directly instead of through Python integers.
cimport cython


@cython.locals(codes=bytes, previous=bytes, row=dict, values=list, offset=cython.Py_ssize_t,
               width=cython.Py_ssize_t, spans=tuple, position=cython.Py_ssize_t, end=cython.Py_ssize_t)
cpdef dict as_dict(tuple record)
cdef object _ROW_COLUMNS
cdef tuple _ROW_SPANS
cdef dict _ROW
cdef bytes _ROW_CODES


@cython.locals(codes=bytes, values=list, offset=cython.Py_ssize_t, width=cython.Py_ssize_t, decoders=dict,
               decoder=tuple)
cpdef cell(tuple record, str name, default=*)
cdef object _LAST_COLUMNS
cdef dict _LAST_DECODERS


cpdef Py_ssize_t _code(bytes codes, Py_ssize_t offset, Py_ssize_t width)


@cython.locals(seen=dict, unhashable=list, decoders=list, found=list, codes=bytes,
               offset=cython.Py_ssize_t, width=cython.Py_ssize_t, values=list)
cpdef list distinct_cells(list records, tuple names)


@cython.locals(codes=list, position=cython.Py_ssize_t, cell=str)
cpdef list _codes_like(list cells, list previous, list previous_codes, list indexes)


@cython.locals(here=cython.p_char, there=cython.p_char, codes=bytearray, size=cython.Py_ssize_t,
               previous_size=cython.Py_ssize_t, start=cython.Py_ssize_t, above=cython.Py_ssize_t,
               column=cython.Py_ssize_t, offset=cython.Py_ssize_t, stop=cython.Py_ssize_t,
               stop_above=cython.Py_ssize_t, end=cython.bint, end_above=cython.bint, same=cython.bint,
               code=cython.Py_ssize_t, at=cython.Py_ssize_t, width=cython.Py_ssize_t, byte=cython.Py_ssize_t)
cpdef bytes _changed_codes(str line, bytes data, bytes previous, bytes previous_codes, int delimiter, list indexes,
                           tuple layout)
cdef bint _WALKS_IN_C
