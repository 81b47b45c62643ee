"""The result file a district hands to the office: its format (the one declaration of its
tables, columns and types), writing it and reading it back with every check."""
