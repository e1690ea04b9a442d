"""Production settings: `lantoa build` uses these."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("LANTOA_SITEURL", "https://lantoa.example.vn")
RELATIVE_URLS = False
# `lantoa build --strict` (or LANTOA_STRICT=1) fails on any content error; CI uses it.
LANTOA_STRICT = os.environ.get("LANTOA_STRICT") == "1"
