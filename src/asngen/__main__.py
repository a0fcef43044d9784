from asngen.cli.main import main

raise SystemExit(main())
