"""Errors raised by the SDP directory adapters. Messages never carry personal data."""

from __future__ import annotations


class SdpError(Exception):
    """Base class of every SDP directory error."""


class RegistrationNumberError(SdpError, ValueError):
    """A registration number that cannot be parsed into a known register."""


class TermError(SdpError, ValueError):
    """A sentence or remission length that cannot be parsed."""


class SdpImportError(SdpError):
    """The export file cannot be read at all (missing column, unreadable file, bad mapping)."""


class SdpUnavailableError(SdpError):
    """A transient failure of a remote SDP endpoint (timeout, connection, 502/503/504, 429)."""


class SdpRequestError(SdpError):
    """A non-transient failure of a remote SDP endpoint (4xx, 500, malformed answer)."""
