"""Identity: pairwise matching, clustering into entities, the resolve step and listing history.

Its SQL is in identity/sql/. Imports the warehouse core and schemas/.
"""
