# Compiled types for exposure roots (read by Cython only: the .py file beside this one is the
# whole behaviour).  Finalizing and pruning find the root of every member's name: with the
# names typed as str, the finds and cuts are C calls on the string, not method look-ups, and
# the helpers call each other directly.  The functions take any name (a member's name may be
# set by a user's rules): a str subclass is read as a plain str first, into the typed local.
cimport cython


@cython.locals(text=str, marked=str, last=cython.Py_ssize_t, index=cython.Py_ssize_t)
cpdef tuple remove_suffix(name)

cpdef bint is_bare_name(path)

@cython.locals(text=str, dot=cython.Py_ssize_t)
cpdef str stem(path)

@cython.locals(root=str, roots=dict)
cpdef str exposure_root(path)
