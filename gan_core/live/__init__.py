"""The live service the pages talk to: the runner (a page's handle on a run), the training
processes (worker, each run in one: run), the messages between them (messages) and each
run's history. Imports the engine, and figures for the pictures a worker draws; never the
command line."""
