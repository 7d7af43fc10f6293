"""The ground floor every floor may use: record models, allowed values, errors and the export schemas.

Imports nothing from scrapers/, warehouse/ or flows/.
"""
