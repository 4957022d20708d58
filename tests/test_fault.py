"""test_fault.py"""
from lib import test  # noqa: F401
