"""One thin module per noun: parse options, call a use case, render the result."""
