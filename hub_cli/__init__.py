"""`hub`: the practice hub's command-line client. Plain Python on httpx, click and rich: no Django needed."""

__version__ = "0.1.0"
