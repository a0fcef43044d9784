# Compiled types for member names (read by Cython only: the .py file beside this one is the
# whole behaviour).  A member's name is made again each time pruning and the writers read it:
# with the name typed as str (_renamed reads a str subclass as a plain str first), finding
# "_uncal." and cutting the name around it are C calls on the string, not method look-ups,
# and the row's cell is read by a C call to records.
cimport cython
from asngen.records cimport cell


@cython.locals(renamed=dict, names=dict, name=str)
cpdef str rename_uncal(filename, str suffix)

@cython.locals(name=str, at=cython.Py_ssize_t)
cpdef str _renamed(filename, str suffix)

cpdef tuple member_name(filename, str suffix)
cpdef bint names_remembered()


@cython.locals(markers=dict)
cpdef renamed_file(suffix)


@cython.final
cdef class RenamedFile:
    cdef public str suffix

    @cython.locals(renamed=dict, names=dict, name=str)
    cpdef str name_for(self, row)
    @cython.locals(name=str, at=cython.Py_ssize_t, digest=cython.ulonglong)
    cpdef digest_for(self, row)


# a member: its slots are C fields (the module docstring tells why there are slots)
@cython.final
cdef class Member:
    cdef public object expname
    cdef public object exptype
    cdef public object exposerr
    cdef public object asn_candidate
    cdef public object row
    cdef public object others


@cython.locals(marker=RenamedFile, own=Member)
cpdef expname_of(member)

@cython.locals(own=Member)
cpdef exptype_of(member)

@cython.locals(one=Member, other=Member)
cpdef bint same_member(left, right)

cdef unsigned long long _DIGEST_START, _DIGEST_PRIME, _DIGEST_MASK
@cython.locals(digest=cython.ulonglong, character=cython.Py_UCS4)
cpdef unsigned long long text_digest(str text)
@cython.locals(digest=cython.ulonglong, position=cython.Py_ssize_t, character=cython.Py_UCS4, kept=cython.Py_UCS4)
cdef unsigned long long _digest_renamed(str name, Py_ssize_t at, str suffix)
@cython.locals(own=Member, marker=RenamedFile)
cpdef expname_digest(member)

@cython.locals(member=Member)
cpdef member_of(row, expname, exptype, exposerr, asn_candidate=*)
