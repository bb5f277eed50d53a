"""Storage and queries: collection names and indexes, the lifted fields initiatives are found by
(``search``), the copy of scheduling's editions, the rejections read back from the dead-letter topic."""
