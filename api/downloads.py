"""File downloads: the one place that names a file in `Content-Disposition` (RFC 6266).

Starlette encodes header values as latin-1, so a unit code with `Đ` raised, a CR/LF split the
header and a `"` added a parameter. The name is cleaned of what no text field may hold, given as
`filename*=UTF-8''…` (RFC 8187) for browsers, with an ASCII `filename="…"` fallback for the rest.
"""

import re
import unicodedata
from urllib.parse import quote

from app.core.fields import printable

# RFC 8187 attr-char: what `filename*` may carry unescaped.
ATTR_CHARS = "!#$&+-.^_`|~"
FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]")
DEFAULT_NAME = "download"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(filename: str) -> dict[str, str]:
    """Headers that make the response a download saved as `filename`."""
    name = " ".join(printable(filename).replace("/", "_").replace("\\", "_").split()) or DEFAULT_NAME
    ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = FALLBACK_UNSAFE.sub("_", ascii_name.encode("ascii", "ignore").decode()) or DEFAULT_NAME
    encoded = quote(name, safe=ATTR_CHARS)
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"}
