"""TAXII 2.1 interoperability suite: `python -m taxii_interop` from tests-py/.

See README.md in this directory.
"""
