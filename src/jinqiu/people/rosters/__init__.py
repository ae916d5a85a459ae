"""花名册 import: read a messy roster (xlsx, xls, csv), map its columns, validate, preview and commit."""
