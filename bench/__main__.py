"""Run every benchmark: ``make bench`` (or ``python -m bench``). Each prints a markdown
table; large ones take their size from their own ``--help`` options."""

from bench import contacts_list, hooks, timeline

if __name__ == "__main__":
    hooks.main()
    timeline.main()
    contacts_list.main()
