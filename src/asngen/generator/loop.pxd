# Compiled types for the generator loop (read by Cython only: the .py file beside this one is
# the whole behaviour).  With the index typed, looking up the associations a row may join is a
# C call per rule instead of a method look-up and a Python call.
cimport cython
from asngen.engine.index cimport AssociationIndex


@cython.locals(found=dict, memo=dict, active=dict)
cpdef list _candidates(AssociationIndex index, dict item, allowed_set, joined_by=*)
