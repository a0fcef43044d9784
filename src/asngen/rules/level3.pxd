# Compiled calls of the Level 3 rules' predicates (read by Cython only: the .py file beside this
# one is the whole behaviour).  The exposure classifier is asked by the gates and checks of
# every row: cimported, it is a C call instead of a module attribute looked up and a Python
# call.
from asngen.rules.dms cimport classify
from asngen.engine.patterns cimport meets
