# Compiled types for the JSON writer (read by Cython only: the .py file beside this one is the
# whole behaviour).  Writing a run's files walks every association's data: its helpers call
# each other as C functions, and the tables of texts are dicts and C structures, not looked-up
# globals and attributes.
cimport cython
from asngen.member cimport Member, RenamedFile

cdef dict _INDENTS
cdef dict _MEMBER_LAYOUTS
cdef dict _QUOTED


cdef class _Indent:
    cdef public str inner, closing, list_closing, first_item, later_item
    cdef public dict first, later


cpdef str dumps_json(data)

@cython.locals(cls=type, indent=_Indent, inner=str, position=Py_ssize_t)
cpdef _encode(value, list parts, str newline)

cpdef _Indent _indent(str newline)

@cython.locals(found=str)
cpdef str _quoted(str text)

cpdef str _pair_text(_Indent indent, dict labels, key)

@cython.locals(indent=_Indent, labels=dict)
cpdef _encode_pairs(pairs, list parts, str newline)

@cython.locals(values=list, filled=int, layout=tuple, position=Py_ssize_t, marker=RenamedFile)
cpdef _encode_member(Member member, list parts, str newline)
