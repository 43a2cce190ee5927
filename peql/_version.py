"""The installed peql version, in a module of its own so that nothing inside the package has to
import the ``peql`` facade (which imports everything) to learn it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peql")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
