"""Run every benchmark: ``make bench`` (or ``python -m bench``)."""

from bench import hooks

if __name__ == "__main__":
    hooks.main()
