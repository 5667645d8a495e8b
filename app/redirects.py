"""Where to send the user back to: only ever a page of this site (a Referer or `next` naming another host would
make the redirect an open one)."""
from urllib.parse import urlsplit


def local_url(url: str | None, host: str, default: str) -> str:
    """`url` (a Referer, say) if it names a page on `host` (this site's host), else `default`."""
    if not url or _unsafe(url):
        return default
    parts = urlsplit(url)
    if parts.netloc not in ("", host) or parts.scheme not in ("", "http", "https"):
        return default
    if parts.scheme and parts.netloc != host:  # "http:evil.example" has no netloc, yet browsers read it as a host
        return default
    return url


def local_path(path: str | None, default: str) -> str:
    """`path` (a `next` parameter) if it is a path on this site ("/cases/1?tab=x"), else `default`."""
    if not path or _unsafe(path) or not path.startswith("/") or path.startswith("//") or urlsplit(path).netloc:
        return default
    return path


def _unsafe(url: str) -> bool:
    # Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example", another host) and drop tabs and
    # line breaks inside a URL, so a value holding either could leave the site whatever the checks above it say.
    return "\\" in url or any(ord(c) < 32 or ord(c) == 127 for c in url)
