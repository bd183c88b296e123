"""One repository per aggregate; each holds its table's statements, backend quirks included."""
