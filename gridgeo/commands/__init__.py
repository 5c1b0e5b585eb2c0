"""One module per ``gridgeo`` subcommand; each has ``add_arguments(parser)`` and ``run(args)``."""
