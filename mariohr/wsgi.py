import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mariohr.settings")
application = get_wsgi_application()
# What is loaded by now lives as long as the process: kept out of the collector's full
# passes, which would otherwise walk it (~0.1 s) in the middle of every few dozen requests.
gc.freeze()
