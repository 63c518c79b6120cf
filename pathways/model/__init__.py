"""Pydantic models of the pathway language: catalogue, pathways, stages, requirements."""
