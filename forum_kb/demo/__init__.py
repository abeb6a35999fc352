"""The demo community that `make run` loads into an empty database."""
