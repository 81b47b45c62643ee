"""Widget trees for the pages: member (tablet), facilitator (projector) and its panels, map, office.

The only layer (with kit.serving and kit.cli) that imports ipywidgets."""
