"""What the law says: states and legal moves, grounds, documents, terms, the working-day calendar,
income, IIN and phone checks, the district file, who may do what. Pure Python: no database."""
