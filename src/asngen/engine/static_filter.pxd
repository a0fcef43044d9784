# Compiled types for the row-only filter (read by Cython only: the .py file beside this one is
# the whole behaviour).  A new row profile reads a hundred outcomes; with the caches typed, each
# is a C call instead of a method look-up.
cimport cython


@cython.locals(results=list, cache=dict, column=object, patterns=object)
cpdef list _outcomes(list tests, list raw, list present, list matches, item)
