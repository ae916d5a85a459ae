import logging

from django.core.exceptions import PermissionDenied, ValidationError


def field_error(field: str, message) -> ValidationError:
    """A ValidationError attached to one field, so forms and the API show it next to that field."""
    return ValidationError({field: [message]})


class OneLineForbidden(logging.Filter):
    """On `django.request`: a 403 (PermissionDenied) is an expected answer, logged as its one warning line.

    Django logs it with the exception attached, so every refused click printed a full traceback; the line
    ("Forbidden (Permission denied): /orgs/7/edit/") says all there is to know.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
