"""What the store's tables are: the marts' declaration (one per mart: columns, dimensions, how each
filter applies), the input tables' DDL, and the month-partitioned Parquet files behind the big ones.

Imports core and domain.
"""
