"""The base class for errors a user can fix; the CLI prints their message without a traceback."""


class UserFacingError(RuntimeError):
    """An error whose message says what was wrong and how to fix it."""
