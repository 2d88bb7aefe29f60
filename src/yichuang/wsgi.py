"""The WSGI application that `yichuang serve` runs in each worker process."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")
application = get_wsgi_application()

# Import every view and build every route now rather than on the first request,
# then move the ~320,000 objects of the loaded code out of the collector's view.
# Left in, they made each full collection a pause of 80-105 ms in the middle of
# some request, stalling the worker and everyone behind it; after the freeze a
# full collection scans only what the worker made since.
get_resolver().url_patterns  # noqa: B018 (the property imports every view)
gc.collect()
gc.freeze()
