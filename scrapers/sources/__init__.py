"""One module per site or platform (a Source subclass each) and the parse helpers they share.

The registry finds every Source subclass with a name here. Imports scrapers/ machinery and schemas/ only.
"""
