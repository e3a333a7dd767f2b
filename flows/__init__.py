"""Prefect flows: thin wiring of the core functions into scheduled, observable runs.

Work is batched into coarse tasks (one per step, never one per agency or mail).
"""
