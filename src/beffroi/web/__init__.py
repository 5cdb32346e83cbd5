"""The Django project: settings, URLs, WSGI/ASGI, Celery application."""
