from django.core.exceptions import ValidationError


def field_error(field: str, message) -> ValidationError:
    """A ValidationError attached to one field, so forms and the API show it next to that field."""
    return ValidationError({field: [message]})
