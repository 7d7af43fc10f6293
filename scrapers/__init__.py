"""The crawl machinery: polite fetch, robots.txt, WARC archive and replay, the crawl, pages, parse workers.

Sources live in scrapers/sources/. Imports schemas/ only; never warehouse/ or flows/, no SQL, no Prefect.
"""
