"""Lan Tỏa's own signal, beside Pelican's: sent once the profiles are read.

Receivers (the image plugin) may add problems to the collection before the one
reporter prints them all and a strict build decides to stop.
"""

from blinker import signal

# sender: the profiles generator; keyword arguments: collection, context, settings, cache
# (the build's `lantoa.cache.Cache`). A receiver may answer with a `PhotoRenderer`.
profiles_read = signal("lantoa-profiles-read")
