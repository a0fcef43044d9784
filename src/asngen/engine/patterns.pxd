# Compiled layout of the pattern helpers (read by Cython only: the .py file beside this one is
# the whole behaviour).  Declared here, they are C functions to the modules that cimport them
# (the check, the index, the row-only filter); they stay importable as Python functions.
cimport cython


cpdef is_listlike(obj)
@cython.locals(cache=dict)
cpdef evaluate_literal(value)
@cython.locals(cache=dict)
cpdef escape(value)
cpdef meets(value, conditions)
@cython.locals(tables=dict, cache=dict, size=list)
cpdef _meets_one(value, condition)
