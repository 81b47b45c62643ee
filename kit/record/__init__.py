"""The 会議録 (meeting record) a district hands to its members and the 自治会: what one
meeting decided, as a printable offline page — counts only from the map, no names."""
