"""Configuration of the interop suite, read from environment variables."""

import os

REQUIRED = (
    "TAXII_DISCOVERY_URL",
    "TAXII_USER",
    "TAXII_PASSWORD",
    "TAXII_WRITE_COLLECTION",
)

USAGE = """\
TAXII 2.1 interoperability suite.

Required environment variables:
  TAXII_DISCOVERY_URL     discovery URL, e.g. http://127.0.0.1:8080/taxii2/
  TAXII_USER              user name (HTTP Basic)
  TAXII_PASSWORD          password
  TAXII_WRITE_COLLECTION  id of a collection this user may read and write
Optional:
  TAXII_API_ROOT          API root URL (default: the API root of the discovery
                          resource that lists TAXII_WRITE_COLLECTION)
  TAXII_OTHER_USER        a user of another organisation (isolation checks)
  TAXII_OTHER_PASSWORD
  TAXII_RED_COLLECTION    collection where the TLP:RED object is posted by
                          TAXII_USER (default: TAXII_WRITE_COLLECTION)
  TAXII_STRICT=1          also run checks beyond the spec's MUSTs
  TAXII_TIMEOUT           seconds per HTTP request (default 60)
"""


class Config:
    def __init__(self, env=None):
        env = os.environ if env is None else env
        self.missing = [k for k in REQUIRED if not env.get(k)]
        url = env.get("TAXII_DISCOVERY_URL", "")
        self.discovery_url = url if url.endswith("/") or not url else url + "/"
        self.user = env.get("TAXII_USER", "")
        self.password = env.get("TAXII_PASSWORD", "")
        self.write_collection = env.get("TAXII_WRITE_COLLECTION", "")
        self.api_root = env.get("TAXII_API_ROOT") or None
        if self.api_root and not self.api_root.endswith("/"):
            self.api_root += "/"
        self.other_user = env.get("TAXII_OTHER_USER") or None
        self.other_password = env.get("TAXII_OTHER_PASSWORD") or ""
        self.red_collection = env.get("TAXII_RED_COLLECTION") or self.write_collection
        self.strict = env.get("TAXII_STRICT", "") not in ("", "0", "false", "no")
        self.timeout = float(env.get("TAXII_TIMEOUT", "60"))


CONFIG = Config()
