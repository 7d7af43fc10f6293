"""Collect the alliances' public listings: the fetch layer, WARC replay, and one parser per source."""
