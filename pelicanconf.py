"""Pelican settings for Lan Tỏa (development: `lantoa serve`)."""

AUTHOR = "Lan Tỏa"
SITENAME = "Lan Tỏa"
SITESUBTITLE = "Mô hình, điển hình \u201cDân vận khéo\u201d"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
LOCALE = ("C.UTF-8",)
THEME = "theme"
# Everything an editor types is escaped; only sanitised HTML is marked safe. A build reads
# each template once (the preview server starts a new build for a saved template): checking
# that its file is unchanged before every page cost half a second of CPU per 10,000 pages.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True,
                     "auto_reload": False}

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "lantoa_pages",
    "lantoa_profiles",
    "lantoa_images",
    "lantoa_share",
    "lantoa_facets",
    "lantoa_portal",
    "lantoa_stats",
    "lantoa_feeds",
    "lantoa_opendata",
    "lantoa_search",
    "lantoa_sitemap",
    "lantoa_cms",
]

# Profiles are read by the lantoa_profiles plugin; Pelican reads only static pages.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
STATIC_PATHS = ["static"]
DIRECT_TEMPLATES: list[str] = []
READERS = {"rst": None, "htm": None, "html": None}  # pages are Markdown
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
DEFAULT_PAGINATION = False

# One feed system: the lantoa_feeds plugin (feedgen). Pelican's own feeds are off.
FEED_ALL_ATOM = FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None

# Reproducible output: no build timestamps or absolute paths in pages.
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

LANTOA_STRICT = False

# The publisher readers and portals see (footer, feeds, JSON-LD). The sample site's
# values are placeholders: set the committee's own before publishing.
LANTOA_AGENCY_NAME = "Ban Biên tập Lan Tỏa (dữ liệu mẫu)"
LANTOA_AGENCY_ADDRESS = "Số 1 đường Mẫu, phường Ba Đình, thành phố Hà Nội"
LANTOA_AGENCY_PHONE = "024 0000 0000"
LANTOA_AGENCY_EMAIL = "bientap@lantoa.example.vn"
LANTOA_AGENCY_URL = ""
LANTOA_AGENCY_RESPONSIBLE = "Trưởng Ban Biên tập (dữ liệu mẫu)"
LANTOA_AGENCY_PERMIT = ""  # e.g. "Giấy phép số …/GP-TTĐT ngày … do … cấp"
LANTOA_AGENCY_EMBLEM = "theme/img/lan-toa.svg"
LANTOA_LICENSE_NAME = "CC BY 4.0"
LANTOA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.vi"
