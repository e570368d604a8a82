"""The one error type of institution services: a Chinese message fit to show to the user."""

from django.utils.functional import Promise


class InstitutionError(ValueError):
    """A refused write (bad input or an impossible move); str() is the message for the user."""

    def __init__(self, message: str | Promise, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field
