"""The one way an import fails: a message for the user, nothing written."""


class ImportFailed(Exception):
    """Bad input (or a bug of ours): one line for the user; the target folder is untouched."""
