"""Schedules: published prose to structured weekly/monthly rules, and the occurrences of a rule.

Pure Python over schemas/; used by normalization (through UDFs), the exports and search.
"""
