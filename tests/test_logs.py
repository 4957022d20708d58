"""test_logs.py"""
from lib import test  # noqa: F401
