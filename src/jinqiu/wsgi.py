import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
application = get_wsgi_application()

from jinqiu.core.startup import warm_and_freeze  # noqa: E402 - needs the application loaded

warm_and_freeze()
