"""Correlating reports into incidents: score candidate pairs, link the sure ones, queue the rest.

``docs/correlation.md`` describes the scoring, its tuning per truce and the queue.
"""
