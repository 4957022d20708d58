"""test_attack.py"""
from lib import test  # noqa: F401
