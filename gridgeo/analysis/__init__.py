"""Figures over events: the risk rule, statistics, Gi* hot spots and the review's period
comparison."""
