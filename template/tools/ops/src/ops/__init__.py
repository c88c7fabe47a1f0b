"""The repository's operations command line: ``ops --help`` lists every command group.

Each command group is a subpackage of ``ops`` that exposes a click command called
``cli``; ``ops.cli`` finds them by walking this package, so a module of the template
adds its group just by shipping its directory.
"""
