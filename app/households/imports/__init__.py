"""Bulk import of households from the CSV and XLSX lists communes already keep (core, no HTTP).

One module a job: `columns` (the names communes give their columns, and finding the header row),
`reading` and `workbook` (rows out of a CSV or an XLSX file, within budgets), `checks` (each row
against the household rules of `app.households.rules` and `HouseholdCreate`), `run` (the import:
dry run, all or nothing, progress, report). Callers use `run.import_households`.
"""
