"""Registry entries of inspection plans, draws and the expert pool (imported by hooks.py)."""
