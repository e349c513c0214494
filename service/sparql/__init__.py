"""The SPARQL 1.1 endpoint: protocol handling, query text checks, results and workers."""
