# Compiled layout of pruning (read by Cython only: the .py file beside this one is the whole
# behaviour).  Pruning reads the name and type of every member of every association: the
# readers are C calls to asngen.member, not Python calls through this module's namespace.
cimport cython
from asngen.member cimport expname_digest, expname_of, exptype_of, same_member

cdef unsigned long long _MASK64, _TWO_TO_63, _GOLDEN, _MIX1, _MIX2

@cython.locals(total=cython.ulonglong, name=object, names=set, checked=bint)
cpdef _membership_digest(asn)
@cython.locals(kind=cython.ulonglong, mixed=cython.ulonglong)
cpdef unsigned long long _pair_digest(unsigned long long name, exptype)
@cython.locals(members=list, others=list, position=cython.Py_ssize_t)
cpdef bint _same_members_in_order(left, right)
