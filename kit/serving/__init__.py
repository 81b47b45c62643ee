"""Serving a room: Voila set up for tablets, ``tasukeai serve``, and the files the served app
needs at run time (notebooks, template) as package data."""
