"""Search: the in-memory index, the search command's library, and the self-contained page with its assets.

Reads the export records (warehouse.publish.records); imports the warehouse core, schedules and schemas/.
"""
