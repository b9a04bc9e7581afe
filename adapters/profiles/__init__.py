"""Built-in CSV mapping profiles (TOML files; see :mod:`adapters.mapping`)."""

__all__: list[str] = []
