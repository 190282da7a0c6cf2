"""WSGI entry point for gunicorn: `gunicorn telehealth.wsgi:app`."""
from telehealth import create_app
from telehealth.runtime import settle_gc

app = create_app()
settle_gc()
