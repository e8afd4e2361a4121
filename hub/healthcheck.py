"""`python -m hub.healthcheck`: exit 0 if the web server on this machine answers /healthz, else 1.

The container health check of the web service. It sends the first of ALLOWED_HOSTS as the Host header, because the
production settings refuse any other host, 127.0.0.1 included. Standard library only: it runs every 30 s.
"""

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    allowed = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    host = next((h.lstrip(".") for h in allowed if h != "*"), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"/healthz did not answer: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
