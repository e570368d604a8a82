"""Admin behaviour shared by the apps."""


class KeepRowsMixin:
    """No delete in the admin (issue 16): money rows and the history of who did what are corrected by a new
    row or a state change, never removed (superusers included; the database still protects what it must)."""

    def has_delete_permission(self, request, obj=None):
        return False
