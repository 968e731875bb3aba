"""The registry: queries over instruments, provisions, actors, participation and sources,
shared by the web pages, the JSON API and the CLI."""
