"""Synthetic demo data: the Guangming district atlas, an atlas inside any outline, and
simulated petitions. Labelled synthetic; never written into an office's store."""
