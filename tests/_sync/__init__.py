# Generated from tests/_async/__init__.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
