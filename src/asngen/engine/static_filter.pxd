# Compiled types for the row-only filter (read by Cython only: the .py file beside this one is
# the whole behaviour).  Every row's profile, and a new profile's hundred outcomes, are read with
# the row and the caches typed: each read is a C call instead of a method look-up.
cimport cython


@cython.locals(results=list, cache=dict, column=object, patterns=object)
cpdef list _outcomes(list tests, list raw, list present, list matches, item)


@cython.locals(profile=list, outcomes=dict)
cpdef tuple _profile(tuple raw, tuple patterns, tuple presence, dict item)
