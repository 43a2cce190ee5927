"""Read-out of trained symbolic networks to SymPy (:mod:`.readout`, :mod:`.template`), term shapes
and significance (DESIGN 6b), trial selection, the one read-out chain (:mod:`.chain`: refit,
prune, polish, merge, orient, closed forms) and the latent-to-truth line of encoder models."""
