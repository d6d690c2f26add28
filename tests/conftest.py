"""Hypothesis settings for the whole suite: few examples, no per-example deadline.

The machine is shared and slow, so timings vary; ``CHAINRULE_HYPOTHESIS=thorough`` runs
more examples when looking for bugs.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("chainrule", max_examples=20, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("CHAINRULE_HYPOTHESIS", "chainrule"))
