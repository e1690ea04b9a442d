"""Lan Tỏa's own signals, beside Pelican's: sent once the profiles are read, and once
each profile has its digest.

Receivers of `profiles_read` (the image plugin) may add problems to the collection
before the one reporter prints them all and a strict build decides to stop.
Receivers of `profiles_digested` may start work that needs only the published
profiles (the search index) before the facet indexes are made.
"""

from blinker import signal

# sender: the profiles generator; keyword arguments: collection, context, settings, cache
# (the build's `lantoa.cache.Cache`). A receiver may answer with a `PhotoRenderer`.
profiles_read = signal("lantoa-profiles-read")

# sender: the profiles generator; keyword arguments: profiles (newest first), digests (profile
# URL → what the profile and its photos look like), context, settings, cache.
profiles_digested = signal("lantoa-profiles-digested")
