"""The council office: compiling result files into the office store, city-wide views, and
exports (Excel, CSV, HTML report)."""
