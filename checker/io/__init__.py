"""Reading inputs safely (bounded, UTF-8, safe YAML) and writing outputs atomically."""
