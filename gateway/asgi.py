"""ASGI entry point for uvicorn and gunicorn: ``gateway.asgi:app``."""

from gateway.app import create_app
from gateway.logging import configure_logging
from gateway.settings import get_settings

configure_logging(get_settings().log_level, json_lines=get_settings().log_json)
app = create_app()
