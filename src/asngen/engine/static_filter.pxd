# Compiled types for the row-only filter (read by Cython only: the .py file beside this one is
# the whole behaviour).  Every row's profile, and so a new profile's hundred outcomes, is read
# with the row and the caches typed: each read is a C call instead of a method look-up.
cimport cython
from asngen.engine.patterns cimport meets
from asngen.engine.index cimport fresh_verdict, row_test_outcome, test_identity


@cython.locals(profile=list, outcomes=dict)
cpdef tuple _profile(tuple raw, tuple patterns, tuple presence, dict item)


cpdef _pattern_outcomes(value, tuple patterns)


cdef object _NO_VALUE  # (a C global: read for each presence column of every profile)
