from asngen.cli.main import entry

entry()
