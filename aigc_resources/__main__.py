"""``python -m aigc_resources``: the same as the ``aigc-resources`` command."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
