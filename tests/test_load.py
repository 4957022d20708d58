"""test_load.py"""
from lib import test  # noqa: F401
