# Compiled types for the JSON writer (read by Cython only: the .py file beside this one is the
# whole behaviour).  Writing a run's files walks every association's data: its helpers call
# each other as C functions, and the table of quoted keys is a dict, not a looked-up global.
cimport cython

cdef dict _LABELS

cpdef str dumps_json(data)

@cython.locals(cls=type, inner=str, separator=str)
cpdef _encode(value, list parts, str newline)

@cython.locals(inner=str, separator=str, label=str)
cpdef _encode_pairs(pairs, list parts, str newline)
