"""Benchmarks: chainrule against hand-written NumPy (the floor) and PyTorch.

Run ``python -m benchmarks [--quick] [--json PATH]`` or ``chainrule bench``.
"""
