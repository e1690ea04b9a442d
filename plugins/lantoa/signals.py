"""Lan Tỏa's own signals, beside Pelican's: sent once the profiles are read and each has
the digest of its file, then for what reads the profiles' photos.

Receivers of `profiles_digested` may start work that needs only the published profiles'
text (the search index) before the photos are checked and the facet indexes are made; it
is not sent when a strict build already has errors to stop at.
Receivers of `profiles_read` (the image plugin) may add problems to the collection
before the one reporter prints them all and a strict build decides to stop.
"""

from blinker import signal

# sender: the profiles generator; keyword arguments: collection, context, settings, cache
# (the build's `lantoa.cache.Cache`). A receiver may answer with a `PhotoRenderer`.
profiles_read = signal("lantoa-profiles-read")

# sender: the profiles generator; keyword arguments: profiles (newest first), urls (theirs, in
# that order), digests (profile URL → what its file gives, its photos aside), context,
# settings, cache.
profiles_digested = signal("lantoa-profiles-digested")
