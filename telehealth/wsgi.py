"""WSGI entry point for gunicorn: `gunicorn telehealth.wsgi:app`."""
from telehealth import create_app

app = create_app()
