"""Everything the user sees: the only importer of rich. rich is imported lazily, on a terminal only,
so scripted and hook runs do not pay for it."""
