# Compiled types for a pass run in this process (read by Cython only: the .py file beside this
# one is the whole behaviour).  Every association a pass ends with is asked whether it is
# doomed, sealed and settled: with it and the verdict typed, those are C calls.
cimport cython
from asngen.association cimport AssociationBase
from asngen.generator.early_drop cimport Doomed


@cython.locals(asn=AssociationBase, shared=dict, associations=list, keep_files=bint)
cpdef list run_pass(spec, registry, version_id, pool_name, run, Doomed doomed=*)
