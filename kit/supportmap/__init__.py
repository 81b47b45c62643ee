"""The mutual-aid map (支え合いマップ): the model, background-image checks, the analysis,
the counts that may leave the district, the printable handout and its HTML pieces."""
