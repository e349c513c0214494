"""URL area /<path>: the linked-data view of every IRI under the base, the sitemap and robots.txt."""
