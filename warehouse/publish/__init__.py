"""Publishing: every export writer (flat, HSDS, Meeting Guide, GeoJSON, iCalendar), its checks, the swap.

Its SQL is in publish/sql/. Imports the warehouse core, warehouse.schedules and schemas/.
"""
