import os

from django.core.wsgi import get_wsgi_application

import mariohr  # noqa: F401  (the Celery app, for send_test's invitation task)

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bare_app.settings"
application = get_wsgi_application()
