"""``check_request_enabled``: corsair's own form of django-cors-headers' signal.

A receiver is called with ``sender=None`` and ``request=`` the request; returning a true value
turns CORS on for that request (outside ``CORS_URLS_REGEX`` too) and allows its origin, as a
receiver of ``corsheaders.signals.check_request_enabled`` does (both are honoured). The
middleware sends it at most once per request, and only when the answer matters: for a path
outside ``CORS_URLS_REGEX``, or an origin the settings do not allow.
"""

from django.dispatch import Signal

check_request_enabled = Signal()
