"""test_browser.py"""
from lib import test  # noqa: F401
