"""The ground floor every floor may use: record models, allowed values, errors, export schemas, process pools.

Imports nothing from scrapers/, warehouse/ or flows/.
"""
