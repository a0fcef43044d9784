# Compiled layout of pruning (read by Cython only: the .py file beside this one is the whole
# behaviour).  Pruning reads the name and type of every member of every association: the
# readers are C calls to asngen.member, not Python calls through this module's namespace.
from asngen.member cimport expname_of, exptype_of
