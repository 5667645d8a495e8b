"""Where to send the user back to: only ever a page of this site (a Referer or `next` naming another host would
make the redirect an open one)."""
from urllib.parse import urlsplit


def local_url(url: str | None, host: str, default: str) -> str:
    """`url` (a Referer, say) if it names a page on `host` (this site's host), else `default`."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.netloc not in ("", host) or parts.scheme not in ("", "http", "https"):
        return default
    return url
