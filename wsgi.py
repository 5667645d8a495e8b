"""WSGI entry point (gunicorn wsgi:app). Scaled out, run the scheduler separately with `flask scheduler`."""
import os

from app import create_app
from config import DevConfig, ProdConfig

app = create_app(ProdConfig if os.environ.get("XINLIAN_ENV") == "production" else DevConfig)
