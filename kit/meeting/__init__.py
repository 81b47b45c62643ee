"""The meeting itself: meetings and phases, access (key, join codes), local issues, voting and
its tally, wrap-up action items. Plain functions over the store; no widgets."""
